"""The database itself refuses to change a complaint event: the timeline is an audit trail."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION complaints_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'complaint events are append-only: UPDATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER complaints_event_no_update BEFORE UPDATE ON complaints_complaintevent
    FOR EACH ROW EXECUTE FUNCTION complaints_event_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS complaints_event_no_update ON complaints_complaintevent;
DROP FUNCTION IF EXISTS complaints_event_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER complaints_event_no_update BEFORE UPDATE ON complaints_complaintevent
BEGIN SELECT RAISE(ABORT, 'complaint events are append-only: UPDATE refused'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS complaints_event_no_update;"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
