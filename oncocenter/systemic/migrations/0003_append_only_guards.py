from django.db import migrations

from oncocenter.systemic.db_guards import add_guards, drop_guards


class Migration(migrations.Migration):
    dependencies = [("systemic", "0002_load_example_regimens")]
    operations = [migrations.RunPython(add_guards, drop_guards)]
