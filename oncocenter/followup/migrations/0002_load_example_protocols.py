"""Load the shipped example protocol templates (followup/data/*.json) as editable rows."""

from django.db import migrations


def load(apps, schema_editor):
    from oncocenter.followup.protocols import LATE_EFFECTS_FORMAT, load_shipped_templates

    ProtocolTemplate = apps.get_model("followup", "ProtocolTemplate")
    for code, data in load_shipped_templates().items():
        ProtocolTemplate.objects.get_or_create(
            code=code,
            defaults={
                "kind": "late-effects" if data["format"] == LATE_EFFECTS_FORMAT else "protocol",
                "name_en": data["name"]["en"],
                "name_ko": data["name"]["ko"],
                "definition": data,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
