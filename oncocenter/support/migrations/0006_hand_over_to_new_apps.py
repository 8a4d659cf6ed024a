"""Hand this app's models to the six apps it was split into (issue 14), keeping every row.

State only for the models: each new app's migration 0001 declared them on the ``support_*``
tables, so here they leave this app's state and nothing is written to the tables; each new app's
0002 then renames its tables. The content types (and so the permissions and admin log entries
that point at them) move to the new app labels, keeping their ids; backwards they move back.
"""

from django.db import migrations

MOVES = {
    "pediatrics": ["pediatricprofile", "bodymeasurement", "hsctepisode", "gvhdentry", "hsctcomplication"],
    "school": ["schoolclass", "schoolenrollment", "schoolattendance", "returntoschoolplan"],
    "aid": ["aidorganisation", "aidapplication", "aidstatuschange"],
    "shelter": ["shelterhouse", "shelterroom", "shelterstay", "shelterwaitlistentry"],
    "palliative": ["palliativereferral", "bereavementfollowup"],
    "socialwork": ["socialcase", "needsassessment", "socialintervention"],
}
# Children before parents, so that no model left in the state points at a removed one.
DELETE_ORDER = [
    "gvhdentry", "hsctcomplication", "hsctepisode", "pediatricprofile", "bodymeasurement",
    "schoolattendance", "returntoschoolplan", "schoolenrollment", "schoolclass",
    "aidstatuschange", "aidapplication", "aidorganisation",
    "shelterwaitlistentry", "shelterstay", "shelterroom", "shelterhouse",
    "bereavementfollowup", "palliativereferral",
    "needsassessment", "socialintervention", "socialcase",
]


def _move(apps, forwards):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for label, models in MOVES.items():
        source, target = ("support", label) if forwards else (label, "support")
        for model in models:
            row = ContentType.objects.filter(app_label=source, model=model).first()
            if row is None:
                continue  # a new database: post_migrate creates the content types afterwards
            # A row under the target label can only be one post_migrate created in between
            # (a partial migrate); the old row wins, because references point at its id.
            ContentType.objects.filter(app_label=target, model=model).delete()
            row.app_label = target
            row.save(update_fields=["app_label"])


def move_content_types(apps, schema_editor):
    _move(apps, forwards=True)


def move_content_types_back(apps, schema_editor):
    _move(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0005_delete_guardianbirthdate"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pediatrics", "0001_take_over_support_tables"),
        ("school", "0001_take_over_support_tables"),
        ("aid", "0001_take_over_support_tables"),
        ("shelter", "0001_take_over_support_tables"),
        ("palliative", "0001_take_over_support_tables"),
        ("socialwork", "0001_take_over_support_tables"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in DELETE_ORDER],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
