"""Issue 14: the NHIS co-payment registration moves from `patients` to `oncology`, rows kept.

The model is declared here over the existing table (state only), then the table is renamed to
`oncology_copayregistration`, and its content type (with its permissions and admin history) is
moved to this app. `patients.0005` drops the model from the patients app's state. Reversible:
going back renames the table and moves the content type back.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODEL = "copayregistration"


def _move_content_type(apps, schema_editor, source, target):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    # A content type already under the target (created by a partial run) wins; the other one
    # is left for `remove_stale_contenttypes`.
    if content_types.filter(app_label=target, model=MODEL).exists():
        return
    content_types.filter(app_label=source, model=MODEL).update(app_label=target)


def to_oncology(apps, schema_editor):
    _move_content_type(apps, schema_editor, "patients", "oncology")


def to_patients(apps, schema_editor):
    _move_content_type(apps, schema_editor, "oncology", "patients")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('oncology', '0002_treatment_episode_entered_in_error'),
        ('patients', '0004_guardian_birth_date'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CopayRegistration',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('special_code', models.CharField(default='V193', help_text='NHIS code, V193 for cancer.', max_length=8, verbose_name='special case code')),
                        ('registration_number', models.CharField(blank=True, max_length=30, verbose_name='registration number')),
                        ('registered_on', models.DateField(verbose_name='registered on')),
                        ('expires_on', models.DateField(help_text='Registration date + 5 years - 1 day.', verbose_name='valid through')),
                        ('diagnosis', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='oncology.diagnosis')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='copay_registrations', to='patients.patient')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['expires_on', 'id'],
                        'indexes': [models.Index(fields=['expires_on'], name='copay_expiry')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('expires_on__gt', models.F('registered_on'))), name='copay_expiry_after_start'), models.UniqueConstraint(fields=('patient', 'registered_on'), name='copay_once_per_date')],
                        'db_table': 'patients_copayregistration',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='copayregistration', table=None),
        migrations.RunPython(to_oncology, to_patients),
    ]
