"""On PostgreSQL, the database itself refuses two overlapping live assignments of one
engineer (an exclusion constraint over the assignment's time range). The services already
check this under a row lock; the constraint guards every other path. SQLite has no
exclusion constraints: there the service's check, under SQLite's single write lock, is it.

btree_gist is a trusted extension (PostgreSQL 13+): the database owner may create it.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE assurance_assignment ADD CONSTRAINT assignment_no_double_booking
    EXCLUDE USING gist (engineer_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (released_at IS NULL);
"""
DROP = "ALTER TABLE assurance_assignment DROP CONSTRAINT IF EXISTS assignment_no_double_booking;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("assurance", "0001_bookings")]

    operations = [migrations.RunPython(create, drop)]
