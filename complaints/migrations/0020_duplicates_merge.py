"""Duplicates: a complaint's possible duplicate at intake (duplicate_of), the complaint a duplicate was merged into
(merged_into) and the final status "merged", with the events, message and webhook event of a merge
(complaints/services/merge.py). Webhook endpoints that received every event type until now receive complaint.merged
too; an endpoint that chose some of them keeps its choice."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


PREVIOUS_TYPES = {"complaint.assigned", "complaint.updated", "complaint.escalated", "complaint.resolved"}


def subscribe_merged(apps, schema_editor):
    endpoint_model = apps.get_model("complaints", "WebhookEndpoint")
    for endpoint in endpoint_model.objects.all():
        types = set(endpoint.event_types or [])
        if PREVIOUS_TYPES <= types and "complaint.merged" not in types:
            endpoint.event_types = [*endpoint.event_types, "complaint.merged"]
            endpoint.save(update_fields=["event_types"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_audit_entries'),
        ('complaints', '0019_phones_e164'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='complaint',
            name='complaint_status_known',
        ),
        migrations.AddField(
            model_name='complaint',
            name='duplicate_of',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='possible_duplicates', to='complaints.complaint', verbose_name='possible duplicate of'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_duplicates', to='complaints.complaint', verbose_name='merged into'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='status',
            field=models.CharField(choices=[('new', 'New'), ('acknowledged', 'Acknowledged'), ('in_progress', 'In progress'), ('awaiting_carrier', 'Awaiting carrier'), ('awaiting_customer', 'Awaiting complainant'), ('resolved', 'Resolved'), ('reopened', 'Reopened'), ('closed', 'Closed'), ('merged', 'Merged')], default='new', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='complaintevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('updated', 'Details updated'), ('assigned', 'Assigned'), ('public_reply', 'Reply to complainant'), ('internal_note', 'Internal note'), ('status_changed', 'Status changed'), ('handed_to_carrier', 'Handed to carrier'), ('resolved', 'Resolved'), ('closed', 'Closed'), ('reopened', 'Reopened'), ('carrier_accepted', 'Carrier accepted'), ('progress_update', 'Progress update sent'), ('sla_warning', 'Target nearly missed'), ('sla_breach', 'Target missed'), ('escalated', 'Escalated'), ('de_escalated', 'De-escalated'), ('survey_answered', 'Survey answered'), ('carrier_note', 'Note from carrier'), ('resolution_proposed', 'Resolution proposed by carrier'), ('compensation_proposed', 'Compensation proposed'), ('compensation_approved', 'Compensation approved'), ('compensation_rejected', 'Compensation rejected'), ('compensation_paid', 'Compensation paid'), ('complainant_reply', 'Reply from complainant'), ('evidence_added', 'Files added'), ('evidence_hidden', 'File hidden'), ('merged', 'Merged into another complaint'), ('duplicate_merged', 'Duplicate merged into this complaint')], max_length=32, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='outboundmessage',
            name='kind',
            field=models.CharField(choices=[('acknowledgement', 'Acknowledgement'), ('progress_update', 'Progress update'), ('resolution_notice', 'Resolution notice'), ('survey', 'Satisfaction survey'), ('survey_reminder', 'Survey reminder'), ('carrier_reminder', 'Carrier reminder'), ('staff_alert', 'Staff alert'), ('compensation', 'Compensation decision'), ('weekly_report', 'Weekly report'), ('surge_alert', 'Complaint surge alert'), ('merge_notice', 'Merged complaint notice')], max_length=20, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='webhookdelivery',
            name='event_type',
            field=models.CharField(choices=[('complaint.assigned', 'Complaint handed to the carrier'), ('complaint.updated', 'Complaint updated (a change the complainant can see)'), ('complaint.escalated', 'Complaint escalated'), ('complaint.resolved', 'Complaint resolved'), ('complaint.evidence_added', 'Files added that the carrier may see'), ('complaint.merged', "Complaint merged into another of the carrier's complaints")], max_length=32, verbose_name='event type'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='complaint_merged_into'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['new', 'acknowledged', 'in_progress', 'awaiting_carrier', 'awaiting_customer', 'resolved', 'reopened', 'closed', 'merged'])), name='complaint_status_known'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('merged_into', models.F('pk')), _negated=True), models.Q(('duplicate_of', models.F('pk')), _negated=True)), name='complaint_not_merged_into_itself'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('merged_into__isnull', False), ('status', 'merged')), models.Q(models.Q(('status', 'merged'), _negated=True), ('merged_into__isnull', True)), _connector='OR'), name='complaint_merged_has_primary'),
        ),
        migrations.RunPython(subscribe_merged, migrations.RunPython.noop),
    ]
