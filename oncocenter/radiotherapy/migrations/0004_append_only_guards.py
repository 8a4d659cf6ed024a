from django.db import migrations

from oncocenter.radiotherapy.db_guards import add_guards, drop_guards


class Migration(migrations.Migration):
    dependencies = [("radiotherapy", "0003_link_oncology_diagnosis")]
    operations = [migrations.RunPython(add_guards, drop_guards)]
