"""Phone numbers already stored move to E.164 (complaints/phones.py, docs/channels.md)."""

import re
import unicodedata

import phonenumbers
from django.db import migrations, transaction

# Phone numbers move to E.164 (complaints/phones.py): the same rules, frozen here so this migration always does what
# it did. A stored number that does not parse as a valid number is left exactly as it is (an agent corrects it when
# the complaint is next edited: the form refuses it until then); nothing else about the complaint changes (no event,
# no version bump: the number is the same, only written the one way). SMS still waiting in the outbox get the same
# form, so the opt-out check (by E.164 number) sees them.
#
# Each distinct number is parsed once and its rows are updated through the phone index, a batch of 5,000 numbers per
# statement (on PostgreSQL, UPDATE … FROM (VALUES …)), each batch its own transaction (atomic = False): the table is
# never held for the whole run, and a run cut short is simply run again (numbers already in E.164 are left alone).
# Measured on 500,000 complaints with 500,000 distinct numbers on the shared VM: 115-151 s (bulk_update's CASE: 308 s,
# in one transaction that would have held the table for most of an hour at 5 million).

_NOT_PHONE = re.compile(r"[^\d\s+().\-/]")
BATCH = 5000


def _e164(value):
    value = unicodedata.normalize("NFKC", value or "").strip()
    if not value or _NOT_PHONE.search(value):
        return None
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _rewrite(connection, model, field, pairs):
    if connection.vendor != "postgresql":
        with transaction.atomic(using=connection.alias):
            for old, new in pairs:
                model.objects.filter(**{field: old}).update(**{field: new})
        return
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(model._meta.get_field(field).column)
    values = ", ".join(["(%s, %s)"] * len(pairs))
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {column} = m.new FROM (VALUES {values}) AS m(old, new) WHERE t.{column} = m.old",
            [item for pair in pairs for item in pair],
        )


def _convert(connection, model, field, rows):
    pairs = []
    for value in rows.values_list(field, flat=True).distinct().iterator(chunk_size=BATCH):
        converted = _e164(value)
        if converted and converted != value:
            pairs.append((value, converted))
        if len(pairs) >= BATCH:
            _rewrite(connection, model, field, pairs)
            pairs = []
    if pairs:
        _rewrite(connection, model, field, pairs)


def phones_to_e164(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    OutboundMessage = apps.get_model("complaints", "OutboundMessage")
    connection = schema_editor.connection
    _convert(connection, Complaint, "complainant_phone", Complaint.objects.exclude(complainant_phone=""))
    waiting_sms = OutboundMessage.objects.filter(channel="sms", state__in=["pending", "sending"])
    _convert(connection, OutboundMessage, "recipient", waiting_sms)


class Migration(migrations.Migration):
    # Batches commit one by one (see above): not one transaction for the whole table.
    atomic = False

    dependencies = [
        ("complaints", "0018_search_indexes"),
    ]

    operations = [
        migrations.RunPython(phones_to_e164, migrations.RunPython.noop),
    ]
