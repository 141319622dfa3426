"""One UPDATE for many complaints, each with its own values: what the beat sweeps write back after a batch.

Django's `bulk_update` writes `CASE WHEN id = … THEN … END` per field and per row, and builds an ORM expression for
each (a batch of 500 complaints and 5 fields: 2,500 `When`s, resolved and compiled one by one): at 1,000,000 open
complaints that Python was most of the sweep's time (docs/benchmarks.md). On PostgreSQL this writes
`UPDATE … SET f = v.f FROM (VALUES (…), …) AS v(id, f, …) WHERE id = v.id` instead, the values prepared by their
fields as the ORM would; other databases use `bulk_update`."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from complaints.models import Complaint


def complaints_update_many(complaints: Sequence[Complaint], fields: Sequence[str], *, batch_size: int = 1000) -> None:
    """Save `fields` of each complaint (already locked by the caller), in one statement per `batch_size` rows."""
    if not complaints:
        return
    if connection.vendor != "postgresql":
        Complaint.objects.bulk_update(complaints, fields, batch_size=batch_size)
        return
    meta = Complaint._meta
    model_fields = [meta.get_field(name) for name in fields]
    pk = meta.pk
    columns = [pk, *model_fields]
    quote = connection.ops.quote_name
    # Each value cast to its column's type: a NULL or a literal in VALUES has none of its own.
    row = "(" + ", ".join(f"CAST(%s AS {field.db_type(connection)})" for field in columns) + ")"
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in model_fields)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(complaints), batch_size):
            chunk = complaints[start : start + batch_size]
            params = []
            for complaint in chunk:
                params.append(complaint.pk)
                for field in model_fields:
                    params.append(field.get_db_prep_save(getattr(complaint, field.attname), connection))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(chunk))}) AS v({names}) "
                f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}",
                params,
            )
