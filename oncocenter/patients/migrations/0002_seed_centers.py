from django.db import migrations

CENTERS = [
    ("radonc", "Radiation Oncology Center", "방사선종양센터"),
    ("esophageal", "Esophageal Cancer Center", "식도암센터"),
    ("pediatric", "Pediatric Hematology-Oncology", "소아혈액종양과"),
]


def add_centers(apps, schema_editor):
    Center = apps.get_model("patients", "Center")
    for code, en, ko in CENTERS:
        Center.objects.update_or_create(code=code, defaults={"name_en": en, "name_ko": ko})


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]
    operations = [migrations.RunPython(add_centers, migrations.RunPython.noop)]
