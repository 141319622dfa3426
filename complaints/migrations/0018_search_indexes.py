"""Indexes for the admin's search on 10 million complaints (complaints.selectors.complaint_search), PostgreSQL only.

- complaint_name_trgm: a trigram GIN index (pg_trgm) on UPPER(complainant_name), which is what Django's icontains and
  istartswith compare: a name fragment is found without reading the table.
- complaint_phone_prefix: a btree with varchar_pattern_ops on complainant_phone, for `LIKE '+86138%'` (the search
  finds a phone by its start); the default-collation index complaint_phone answers only equality.

References and waybill numbers are searched exactly, by the indexes they already have (the unique reference,
complaint_waybill).

And indexes in the changelist's order (the next due time first, those with no running clock last, then the id:
ComplaintAdmin.ordering), so that a page is read from an index instead of sorting millions of rows: complaint_due for
the whole list, and one per sidebar filter, whose capped count reads the same index whether the value is common or
matches nothing: complaint_{status,category,channel,priority,escalation,carrier,owner}_due.

Built with CREATE INDEX CONCURRENTLY (the table stays writable while they build, minutes at 10 million rows), hence
atomic = False. They are not in the model's Meta: a GIN trigram index and an operator class are PostgreSQL's, and the
tests run on SQLite too, where this migration does nothing and the search falls back to plain LIKE.
"""

from django.db import migrations

INDEXES = (
    (
        "complaint_name_trgm",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS complaint_name_trgm ON complaints_complaint "
        "USING gin (UPPER(complainant_name::text) gin_trgm_ops)",
    ),
    (
        "complaint_phone_prefix",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS complaint_phone_prefix ON complaints_complaint "
        "(complainant_phone varchar_pattern_ops)",
    ),
    (
        "complaint_due",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS complaint_due ON complaints_complaint "
        "(next_due_at ASC NULLS LAST, id)",
    ),
    *(
        (
            f"complaint_{name}_due",
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS complaint_{name}_due ON complaints_complaint "
            f"({column}, next_due_at ASC NULLS LAST, id)",
        )
        for name, column in (
            ("status", "status"),
            ("category", "category"),
            ("channel", "channel"),
            ("priority", "priority"),
            ("escalation", "escalation_level"),
            ("carrier", "carrier_id"),
            ("owner", "owner_id"),
        )
    ),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for _name, sql in INDEXES:
            cursor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _sql in INDEXES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")  # names are the constants above


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("complaints", "0017_inbound_sms_phones_e164"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
