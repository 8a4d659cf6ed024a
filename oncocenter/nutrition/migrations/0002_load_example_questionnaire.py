"""Load the shipped example QoL questionnaire and the default alert thresholds."""

from django.db import migrations


def load(apps, schema_editor):
    from oncocenter.nutrition.qol import load_shipped_questionnaires

    Questionnaire = apps.get_model("nutrition", "Questionnaire")
    for code, data in load_shipped_questionnaires().items():
        Questionnaire.objects.get_or_create(
            code=code,
            defaults={"name_en": data["name"]["en"], "name_ko": data["name"]["ko"], "definition": data},
        )
    apps.get_model("nutrition", "AlertSettings").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("nutrition", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
