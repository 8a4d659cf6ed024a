"""Move the content types of the machine models from scheduling to machines (reversible).

Django's own permissions and admin log entries point at content type rows by id, so renaming
the rows (instead of letting new ones be created) keeps them attached to the moved models. On a
fresh database the rows do not exist yet (they are created after migrating): nothing to do.
"""

from django.db import migrations

MODELS = ("machine", "machinetechnique", "machinedowntime")


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor):
    _move(apps, "scheduling", "machines")


def backwards(apps, schema_editor):
    _move(apps, "machines", "scheduling")


class Migration(migrations.Migration):
    dependencies = [
        ("machines", "0001_move_from_scheduling"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
