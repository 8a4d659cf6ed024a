"""QA results are append-only; a QA hold is written once and released once (issue 15)."""

from django.db import migrations

from oncocenter.core import append_only

GUARDS = [
    append_only.frozen("machines_qaresult"),
    append_only.complete_once(
        "machines_qahold",
        fixed=("machine_id", "started_at", "reason", "result_id"),
        open_column="released_at",
    ),
]


def add(apps, schema_editor):
    append_only.add(schema_editor, GUARDS)


def drop(apps, schema_editor):
    append_only.drop(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [("machines", "0003_qa_and_beam_matching")]
    operations = [migrations.RunPython(add, drop)]
