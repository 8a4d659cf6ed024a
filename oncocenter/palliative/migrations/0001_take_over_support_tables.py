import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Take over the palliative care tables of the former ``support`` app, every row kept.

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
                    name='PalliativeReferral',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('referred_on', models.DateField(verbose_name='referred on')),
                        ('reason', models.CharField(max_length=300, verbose_name='reason')),
                        ('status', models.CharField(choices=[('requested', 'Requested'), ('active', 'Active'), ('declined', 'Declined'), ('closed', 'Closed')], default='requested', max_length=12, verbose_name='status')),
                        ('goals_of_care', models.TextField(blank=True, verbose_name='goals of care')),
                        ('symptom_plan', models.TextField(blank=True, help_text='Pain, nausea, dyspnoea, sleep: plan per symptom.', verbose_name='symptom plan')),
                        ('advance_care_planning', models.TextField(blank=True, help_text='Conversations with the family and, as appropriate, the child.', verbose_name='advance care planning notes')),
                        ('place_of_care', models.CharField(choices=[('undecided', 'Not yet discussed'), ('home', 'Home'), ('hospital', 'Hospital'), ('hospice', "Children's hospice"), ('local_hospital', 'Hospital near home')], default='undecided', max_length=16, verbose_name='place-of-care preference')),
                        ('decline_reason', models.CharField(blank=True, max_length=300, verbose_name='reason declined')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='palliative_referrals', to='patients.patient')),
                        ('referred_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'support_palliativereferral',
                        'ordering': ['-referred_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='BereavementFollowUp',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('planned_on', models.DateField(verbose_name='planned on')),
                        ('kind', models.CharField(choices=[('call', 'Call'), ('visit', 'Visit'), ('letter', 'Letter'), ('memorial', 'Memorial')], max_length=12, verbose_name='contact')),
                        ('done_on', models.DateField(blank=True, null=True, verbose_name='done on')),
                        ('notes', models.CharField(blank=True, max_length=300, verbose_name='notes')),
                        ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bereavement', to='palliative.palliativereferral')),
                    ],
                    options={
                        'db_table': 'support_bereavementfollowup',
                        'ordering': ['planned_on', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='palliativereferral',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'declined'), _negated=True), models.Q(('decline_reason', ''), _negated=True), _connector='OR'), name='palliative_decline_has_reason'),
                ),
            ],
        ),
    ]
