"""On PostgreSQL, a settlement's money fields cannot change and no settlement can be deleted.

The model layer refuses the same; this trigger also stops a raw UPDATE (DESIGN §8).
"""

from django.db import migrations

FIELDS = (
    "boost_id, kind, expected_views, actual_views, snapshot_id, snapshot_observed_at, fixed_price, "
    "boost_fee, expected_cpm, raw_amount, cap_applied, amount, formula_version, computed_at, "
    "service_ended_at"
)
OLD = ", ".join(f"OLD.{f.strip()}" for f in FIELDS.split(","))
NEW = ", ".join(f"NEW.{f.strip()}" for f in FIELDS.split(","))

CREATE = f"""
CREATE OR REPLACE FUNCTION settlements_settlement_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'settlement % cannot be deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF ROW({NEW}) IS DISTINCT FROM ROW({OLD}) THEN
        RAISE EXCEPTION 'settlement % money fields are immutable; add an adjustment', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER settlement_immutable BEFORE UPDATE OR DELETE ON settlements_settlement
    FOR EACH ROW EXECUTE FUNCTION settlements_settlement_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS settlement_immutable ON settlements_settlement;
DROP FUNCTION IF EXISTS settlements_settlement_immutable();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the "%" in RAISE is not a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [("settlements", "0001_initial")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
