from django.db import migrations

BOARDS = [
    ("esophageal", "Esophageal cancer board", "식도암 다학제 진료",
     ["thoracic_surgery", "radiation_oncology", "medical_oncology", "gastroenterology", "radiology", "pathology"]),
    ("pediatric", "Pediatric tumor board", "소아암 다학제 진료",
     ["pediatric_oncology", "surgery", "radiation_oncology", "radiology", "pathology", "nuclear_medicine"]),
    ("general_rt", "General / radiotherapy board", "일반·방사선치료 다학제 진료",
     ["radiation_oncology", "medical_oncology", "surgery", "radiology", "pathology"]),
]


def seed(apps, schema_editor):
    BoardType = apps.get_model("mdt", "BoardType")
    for code, en, ko, disciplines in BOARDS:
        BoardType.objects.update_or_create(
            code=code, defaults={"name_en": en, "name_ko": ko, "required_disciplines": disciplines}
        )


class Migration(migrations.Migration):
    dependencies = [("mdt", "0001_boards_meetings_cases")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
