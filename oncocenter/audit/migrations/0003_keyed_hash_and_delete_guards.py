"""Keyed hashes (key_id), object ids up to 500 characters, and guards against delete/truncate.

The guards are dropped first and installed again last: SQLite rebuilds the table for these
changes, which would lose its triggers.
"""

from django.db import migrations, models

from oncocenter.audit.db_guards import add_guards, add_guards_v2, drop_guards, drop_guards_v2


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_guards'),
    ]

    operations = [
        migrations.RunPython(drop_guards, add_guards),
        migrations.AddField(
            model_name='auditevent',
            name='key_id',
            field=models.CharField(blank=True, default='', help_text='Which audit key signed the hash (its fingerprint); empty: plain SHA-256, from before events were keyed.', max_length=16),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='object_id',
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.RunPython(add_guards_v2, drop_guards_v2),
    ]
