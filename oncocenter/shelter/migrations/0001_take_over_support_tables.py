import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Take over the family shelter tables of the former ``support`` app, every row kept.

    State only: the models are declared on the tables they have had since support 0001
    (``support_*``), with the same constraints under the same names; nothing is written to the
    database here. ``support`` 0006 then drops the models from its own state, and 0002 renames
    the tables.
    """

    initial = True

    dependencies = [
        ('support', '0003_guardian_birth_date'),
        ('patients', '0004_guardian_birth_date'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ShelterHouse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                        ('address', models.CharField(blank=True, max_length=200, verbose_name='address')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'db_table': 'support_shelterhouse',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='ShelterRoom',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('number', models.CharField(max_length=20, verbose_name='room')),
                        ('capacity', models.PositiveSmallIntegerField(help_text='Beds: the most people one family may bring.', verbose_name='capacity')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('house', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rooms', to='shelter.shelterhouse')),
                    ],
                    options={
                        'db_table': 'support_shelterroom',
                        'ordering': ['house__name', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='ShelterStay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('guests', models.PositiveSmallIntegerField(help_text='People staying (the child counts if the child sleeps there).', verbose_name='guests')),
                        ('room_capacity', models.PositiveSmallIntegerField(editable=False, help_text='Room capacity when checked in; lets the database check guests.')),
                        ('check_in', models.DateField(verbose_name='check-in')),
                        ('check_out', models.DateField(blank=True, help_text='Empty while the family is staying.', null=True, verbose_name='check-out')),
                        ('status', models.CharField(choices=[('active', 'Staying'), ('checked_out', 'Checked out'), ('cancelled', 'Cancelled')], default='active', max_length=12, verbose_name='status')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shelter_stays', to='patients.patient')),
                        ('room', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='stays', to='shelter.shelterroom')),
                    ],
                    options={
                        'db_table': 'support_shelterstay',
                        'ordering': ['-check_in', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ShelterWaitlistEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('requested_on', models.DateField(verbose_name='requested on')),
                        ('distance_km', models.PositiveIntegerField(help_text='Road distance from home to the hospital.', verbose_name='distance from home (km)')),
                        ('financial_need', models.CharField(choices=[('none', 'none'), ('low', 'low'), ('moderate', 'moderate'), ('high', 'high (e.g. basic livelihood recipient)')], max_length=12, verbose_name='financial need')),
                        ('treatment_intensity', models.CharField(choices=[('followup', 'follow-up visits'), ('outpatient_chemo', 'outpatient chemotherapy'), ('radiotherapy', 'daily radiotherapy'), ('intensive_chemo', 'intensive chemotherapy'), ('hsct', 'stem cell transplantation'), ('palliative', 'palliative care')], max_length=20, verbose_name='treatment intensity')),
                        ('guests', models.PositiveSmallIntegerField(default=2, verbose_name='guests')),
                        ('status', models.CharField(choices=[('waiting', 'Waiting'), ('housed', 'Housed'), ('withdrawn', 'Withdrawn')], default='waiting', max_length=12, verbose_name='status')),
                        ('notes', models.CharField(blank=True, max_length=300, verbose_name='notes')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shelter_waitlist', to='patients.patient')),
                        ('stay', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='shelter.shelterstay')),
                    ],
                    options={
                        'db_table': 'support_shelterwaitlistentry',
                        'ordering': ['requested_on', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='shelterroom',
                    constraint=models.UniqueConstraint(fields=('house', 'number'), name='room_number_unique'),
                ),
                migrations.AddConstraint(
                    model_name='shelterroom',
                    constraint=models.CheckConstraint(condition=models.Q(('capacity__gte', 1)), name='room_capacity_positive'),
                ),
                migrations.AddConstraint(
                    model_name='shelterstay',
                    constraint=models.CheckConstraint(condition=models.Q(('check_out__isnull', True), ('check_out__gt', models.F('check_in')), _connector='OR'), name='stay_check_out_after_check_in'),
                ),
                migrations.AddConstraint(
                    model_name='shelterstay',
                    constraint=models.CheckConstraint(condition=models.Q(('guests__gte', 1), ('guests__lte', models.F('room_capacity'))), name='stay_guests_within_capacity'),
                ),
                migrations.AddConstraint(
                    model_name='shelterstay',
                    constraint=models.UniqueConstraint(condition=models.Q(('check_out__isnull', True), models.Q(('status', 'cancelled'), _negated=True)), fields=('room',), name='stay_one_open_per_room'),
                ),
                migrations.AddConstraint(
                    model_name='shelterwaitlistentry',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'waiting')), fields=('patient',), name='waitlist_once_per_child'),
                ),
                migrations.AddConstraint(
                    model_name='shelterwaitlistentry',
                    constraint=models.CheckConstraint(condition=models.Q(('guests__gte', 1)), name='waitlist_guests_positive'),
                ),
            ],
        ),
    ]
