import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Take over the aid association tables of the former ``support`` app, every row kept.

    State only: the models are declared on the tables they have had since support 0001
    (``support_*``), with the same constraints under the same names; nothing is written to the
    database here. ``support`` 0006 then drops the models from its own state, and 0002 renames
    the tables.
    """

    initial = True

    dependencies = [
        ('support', '0003_guardian_birth_date'),
        ('patients', '0004_guardian_birth_date'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AidOrganisation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                        ('contact', models.CharField(blank=True, max_length=200, verbose_name='contact')),
                        ('support_types', models.CharField(blank=True, help_text='e.g. medical costs, living.', max_length=200, verbose_name='support types')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'db_table': 'support_aidorganisation',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='AidApplication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('need', models.CharField(choices=[('medical_costs', 'Medical costs'), ('living_costs', 'Living costs'), ('transport', 'Transport'), ('lodging', 'Lodging'), ('education', 'Education'), ('other', 'Other')], max_length=20, verbose_name='need')),
                        ('need_description', models.CharField(blank=True, max_length=300, verbose_name='need description')),
                        ('amount_requested', models.DecimalField(decimal_places=0, max_digits=12, verbose_name='amount requested (KRW)')),
                        ('amount_granted', models.DecimalField(blank=True, decimal_places=0, max_digits=12, null=True, verbose_name='amount granted (KRW)')),
                        ('decision_note', models.CharField(blank=True, help_text='Required when the grant is above the amount requested.', max_length=300, verbose_name='decision note')),
                        ('documents', models.JSONField(blank=True, default=list, help_text='Checklist codes provided.', verbose_name='documents provided')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('documents_requested', 'Documents requested'), ('under_review', 'Under review'), ('granted', 'Granted'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn'), ('disbursed', 'Disbursed')], default='draft', max_length=20, verbose_name='status')),
                        ('submitted_on', models.DateField(blank=True, null=True, verbose_name='submitted on')),
                        ('decided_on', models.DateField(blank=True, null=True, verbose_name='decided on')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aid_applications', to='patients.patient')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='aid.aidorganisation')),
                    ],
                    options={
                        'db_table': 'support_aidapplication',
                        'ordering': ['-id'],
                    },
                ),
                migrations.CreateModel(
                    name='AidStatusChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_status', models.CharField(max_length=20)),
                        ('to_status', models.CharField(max_length=20)),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('note', models.CharField(blank=True, max_length=300)),
                        ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='aid.aidapplication')),
                        ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'support_aidstatuschange',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='aidapplication',
                    constraint=models.CheckConstraint(condition=models.Q(('amount_requested__gt', 0)), name='aid_requested_positive'),
                ),
                migrations.AddConstraint(
                    model_name='aidapplication',
                    constraint=models.CheckConstraint(condition=models.Q(('amount_granted__isnull', True), ('amount_granted__gte', 0), _connector='OR'), name='aid_granted_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='aidapplication',
                    constraint=models.CheckConstraint(condition=models.Q(('amount_granted__isnull', True), ('amount_granted__lte', models.F('amount_requested')), models.Q(('decision_note', ''), _negated=True), _connector='OR'), name='aid_grant_above_request_needs_note'),
                ),
                migrations.AddConstraint(
                    model_name='aidapplication',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['granted', 'disbursed']), _negated=True), ('amount_granted__isnull', False), _connector='OR'), name='aid_granted_has_amount'),
                ),
                migrations.AddConstraint(
                    model_name='aidapplication',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'submitted', 'documents_requested', 'under_review', 'granted', 'rejected', 'withdrawn', 'disbursed'])), name='aid_status_valid'),
                ),
            ],
        ),
    ]
