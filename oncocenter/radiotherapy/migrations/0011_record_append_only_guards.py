"""Treatment-record imports and dose-limit overrides are append-only; an image review is signed
once and a course suspension resumed once, never otherwise changed (issue 15)."""

from django.db import migrations

from oncocenter.core import append_only

GUARDS = [
    append_only.frozen("radiotherapy_treatmentrecordimport"),
    append_only.frozen("radiotherapy_doseoverride"),
    append_only.complete_once(
        "radiotherapy_imagereview",
        fixed=(
            "delivery_id",
            "kind",
            "shift_lat_mm",
            "shift_long_mm",
            "shift_vert_mm",
            "tolerance_mm",
            "needs_review",
            "approved_by_id",
            "approved_at",
        ),
        open_column="reviewed_at",
    ),
    append_only.complete_once(
        "radiotherapy_coursesuspension",
        fixed=("course_id", "suspended_at", "suspended_by_id", "reason"),
        open_column="resumed_at",
    ),
]


def add(apps, schema_editor):
    append_only.add(schema_editor, GUARDS)


def drop(apps, schema_editor):
    append_only.drop(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [("radiotherapy", "0010_course_suspension_and_plan_transfer")]
    operations = [migrations.RunPython(add, drop)]
