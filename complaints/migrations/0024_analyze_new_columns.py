"""Statistics for the columns 0020 and 0023 added to big tables, PostgreSQL only.

A column added to a table of millions of rows has no statistics until the next ANALYZE, and adding it changes no row,
so autovacuum does not run one. Without them PostgreSQL guesses that `merged_into_id = <id>` matches 0.5 % of the
table and reads the whole complaint table through the received-time index to find a complaint's merged duplicates:
4 s for every complaint's admin page at 10 million complaints (docs/benchmarks.md), 20 ms after ANALYZE."""

from django.db import migrations


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint (duplicate_of_id, merged_into_id, status)")
        cursor.execute("ANALYZE complaints_slapolicy")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0023_working_calendars"),
    ]

    operations = [migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True)]
