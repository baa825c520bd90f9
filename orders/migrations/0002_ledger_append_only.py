"""On PostgreSQL, the database itself refuses to update or delete a ledger entry (DESIGN §8)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION orders_ledgerentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entry % is append-only: % refused', OLD.id, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON orders_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION orders_ledgerentry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS ledger_entry_append_only ON orders_ledgerentry;
DROP FUNCTION IF EXISTS orders_ledgerentry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the "%" in RAISE is not a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
