from django.db import migrations

TABLES = ["payments_posting", "payments_journal", "payments_paymentevent"]

FUNCTION = """
CREATE OR REPLACE FUNCTION payments_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    """Ledger postings, journals and payment events are never changed or removed: corrections are new rows."""

    dependencies = [("payments", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS payments_append_only() CASCADE;"),
        *[migrations.RunSQL(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION payments_append_only();",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};") for table in TABLES],
    ]
