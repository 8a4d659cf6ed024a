import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Take over the social work tables of the former ``support`` app, every row kept.

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
                    name='SocialCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('opened_on', models.DateField(verbose_name='opened on')),
                        ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='social_cases', to='patients.patient')),
                        ('social_worker', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='social_cases', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'support_socialcase',
                        'ordering': ['-opened_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='NeedsAssessment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('assessed_on', models.DateField(verbose_name='assessed on')),
                        ('levels', models.JSONField(default=dict, help_text='Domain code -> none/low/moderate/high.', verbose_name='need levels')),
                        ('summary', models.TextField(blank=True, verbose_name='summary')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assessments', to='socialwork.socialcase')),
                    ],
                    options={
                        'db_table': 'support_needsassessment',
                        'ordering': ['-assessed_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='SocialIntervention',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('domain', models.CharField(choices=[('financial', 'Financial'), ('housing', 'Housing and lodging near the hospital'), ('schooling', 'Schooling'), ('psychological', 'Psychological and emotional'), ('caregiving', 'Caregiving and family'), ('transport', 'Transport')], max_length=20, verbose_name='domain')),
                        ('description', models.CharField(max_length=300, verbose_name='intervention')),
                        ('started_on', models.DateField(verbose_name='started on')),
                        ('outcome', models.CharField(choices=[('pending', 'In progress'), ('achieved', 'Achieved'), ('partial', 'Partly achieved'), ('not_achieved', 'Not achieved')], default='pending', max_length=14, verbose_name='outcome')),
                        ('outcome_note', models.CharField(blank=True, max_length=300, verbose_name='outcome note')),
                        ('completed_on', models.DateField(blank=True, null=True, verbose_name='completed on')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='interventions', to='socialwork.socialcase')),
                    ],
                    options={
                        'db_table': 'support_socialintervention',
                        'ordering': ['-started_on', '-id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='socialcase',
                    constraint=models.CheckConstraint(condition=models.Q(('closed_on__isnull', True), ('closed_on__gte', models.F('opened_on')), _connector='OR'), name='social_case_closed_after_opened'),
                ),
                migrations.AddConstraint(
                    model_name='socialcase',
                    constraint=models.UniqueConstraint(condition=models.Q(('closed_on__isnull', True)), fields=('patient',), name='social_case_one_open'),
                ),
                migrations.AddConstraint(
                    model_name='socialintervention',
                    constraint=models.CheckConstraint(condition=models.Q(('completed_on__isnull', True), ('completed_on__gte', models.F('started_on')), _connector='OR'), name='intervention_completed_after_start'),
                ),
            ],
        ),
    ]
