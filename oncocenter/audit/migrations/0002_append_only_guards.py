from django.db import migrations

from oncocenter.audit.db_guards import add_guards, drop_guards


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(add_guards, drop_guards)]
