import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Take over the hospital school tables of the former ``support`` app, every row kept.

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
                    name='SchoolClass',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('name', models.CharField(max_length=80, verbose_name='name')),
                        ('level', models.CharField(choices=[('preschool', 'Preschool'), ('elementary', 'Elementary'), ('middle', 'Middle school'), ('high', 'High school')], max_length=12, verbose_name='level')),
                        ('room', models.CharField(blank=True, max_length=40, verbose_name='room')),
                        ('schedule', models.CharField(blank=True, max_length=120, verbose_name='schedule')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('teacher', models.ForeignKey(blank=True, help_text='Hospital-school teacher in charge.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='school_classes', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'support_schoolclass',
                        'verbose_name_plural': 'school classes',
                        'ordering': ['level', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='SchoolEnrollment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('enrolled_on', models.DateField(verbose_name='enrolled on')),
                        ('ended_on', models.DateField(blank=True, null=True, verbose_name='ended on')),
                        ('home_school', models.CharField(blank=True, help_text="The child's own school.", max_length=120, verbose_name='home school')),
                        ('home_grade', models.CharField(blank=True, max_length=20, verbose_name='grade at home school')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='school_enrollments', to='patients.patient')),
                        ('school_class', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='enrollments', to='school.schoolclass')),
                    ],
                    options={
                        'db_table': 'support_schoolenrollment',
                        'ordering': ['-enrolled_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='SchoolAttendance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('on', models.DateField(verbose_name='date')),
                        ('status', models.CharField(choices=[('present', 'Present'), ('absent_treatment', 'Absent (treatment)'), ('absent_other', 'Absent (other)')], max_length=20, verbose_name='status')),
                        ('setting', models.CharField(choices=[('classroom', 'Hospital classroom'), ('bedside', 'Bedside (ward)'), ('online', 'Online')], default='classroom', max_length=12, verbose_name='setting')),
                        ('during_admission', models.BooleanField(default=False, help_text='The child was an inpatient that day.', verbose_name='during admission')),
                        ('minutes', models.PositiveSmallIntegerField(default=0, verbose_name='minutes')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('enrollment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='school.schoolenrollment')),
                    ],
                    options={
                        'db_table': 'support_schoolattendance',
                        'ordering': ['-on'],
                    },
                ),
                migrations.CreateModel(
                    name='ReturnToSchoolPlan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('planned_return_on', models.DateField(blank=True, null=True, verbose_name='planned return')),
                        ('school_contact', models.CharField(blank=True, max_length=120, verbose_name='school contact')),
                        ('accommodations', models.TextField(blank=True, help_text='e.g. half days, infection precautions, mask, rest breaks, PE exemption.', verbose_name='accommodations')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('shared', 'Shared with the school'), ('completed', 'Child returned')], default='draft', max_length=12, verbose_name='status')),
                        ('enrollment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='return_plan', to='school.schoolenrollment')),
                    ],
                    options={
                        'db_table': 'support_returntoschoolplan',
                        'abstract': False,
                    },
                ),
                migrations.AddConstraint(
                    model_name='schoolenrollment',
                    constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('ended_on__gte', models.F('enrolled_on')), _connector='OR'), name='enrollment_end_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='schoolenrollment',
                    constraint=models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('patient', 'school_class'), name='enrollment_one_open_per_class'),
                ),
                migrations.AddConstraint(
                    model_name='schoolattendance',
                    constraint=models.UniqueConstraint(fields=('enrollment', 'on'), name='attendance_once_a_day'),
                ),
                migrations.AddConstraint(
                    model_name='schoolattendance',
                    constraint=models.CheckConstraint(condition=models.Q(('minutes__lte', 600)), name='attendance_minutes_max'),
                ),
            ],
        ),
    ]
