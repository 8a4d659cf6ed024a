import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Take over the pediatric profile, body measurements and HSCT tables of the former ``support`` app, every row kept.

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
                    name='HSCTEpisode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('indication', models.CharField(help_text="Disease and state that justify the transplant, e.g. 'ALL, second CR'.", max_length=200, verbose_name='indication')),
                        ('donor_type', models.CharField(choices=[('autologous', 'Autologous'), ('related', 'Related (matched sibling or other family)'), ('related_haplo', 'Related haploidentical'), ('unrelated', 'Unrelated (registry)'), ('cord_blood', 'Cord blood')], help_text='Autologous, related, haploidentical, unrelated or cord blood.', max_length=20, verbose_name='donor type')),
                        ('stem_cell_source', models.CharField(blank=True, choices=[('bone_marrow', 'Bone marrow'), ('peripheral_blood', 'Peripheral blood stem cells'), ('cord_blood', 'Cord blood')], help_text='Bone marrow, peripheral blood or cord blood.', max_length=20, verbose_name='stem cell source')),
                        ('hla_match', models.CharField(blank=True, help_text='Matched/tested loci, e.g. 8/8 or 10/10; empty for autologous.', max_length=5, verbose_name='HLA match')),
                        ('conditioning_regimen', models.CharField(blank=True, choices=[('bu_cy', 'Busulfan + cyclophosphamide (Bu/Cy)'), ('bu_flu', 'Busulfan + fludarabine (Bu/Flu)'), ('tbi_vp16', 'TBI 12 Gy + etoposide'), ('tbi_cy', 'TBI 12 Gy + cyclophosphamide'), ('treo_flu_thio', 'Treosulfan + fludarabine + thiotepa'), ('flu_mel', 'Fludarabine + melphalan (Flu/Mel)'), ('flu_cy_atg', 'Fludarabine + cyclophosphamide + ATG (aplastic anemia)'), ('bu_mel', 'Busulfan + melphalan (Bu/Mel, autologous neuroblastoma)'), ('cem', 'Carboplatin + etoposide + melphalan (CEM)'), ('thio_carbo_etop', 'Thiotepa + carboplatin + etoposide (brain tumours, tandem autologous)'), ('beam', 'BEAM (carmustine, etoposide, cytarabine, melphalan; lymphoma)'), ('other', 'Other (describe)')], help_text='Pick-list of examples; describe others in the details.', max_length=30, verbose_name='conditioning regimen')),
                        ('conditioning_details', models.CharField(blank=True, help_text='Doses, TBI, serotherapy.', max_length=300, verbose_name='conditioning details')),
                        ('conditioning_start', models.DateField(blank=True, help_text='First day of conditioning.', null=True, verbose_name='conditioning start')),
                        ('day0', models.DateField(blank=True, help_text='Date of the stem cell infusion.', null=True, verbose_name='day 0')),
                        ('neutrophil_engraftment_on', models.DateField(blank=True, help_text='First of 3 consecutive days with ANC >= 0.5 x10^9/L; not before day 0.', null=True, verbose_name='neutrophil engraftment')),
                        ('platelet_engraftment_on', models.DateField(blank=True, help_text='First of 7 days with platelets >= 20 x10^9/L without transfusion.', null=True, verbose_name='platelet engraftment')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('conditioning', 'Conditioning'), ('infused', 'Infused (awaiting engraftment)'), ('engrafted', 'Engrafted'), ('graft_failure', 'Graft failure'), ('completed', 'Completed (follow-up)'), ('cancelled', 'Cancelled'), ('entered-in-error', 'Entered in error')], default='planned', max_length=20, verbose_name='status')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='hsct_episodes', to='patients.patient')),
                    ],
                    options={
                        'db_table': 'support_hsctepisode',
                        'ordering': ['-day0', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='HSCTComplication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('kind', models.CharField(choices=[('sos_vod', 'Sinusoidal obstruction syndrome (VOD)'), ('infection', 'Infection'), ('cmv', 'CMV reactivation'), ('mucositis', 'Mucositis'), ('tma', 'Transplant-associated TMA'), ('engraftment_syndrome', 'Engraftment syndrome'), ('graft_failure', 'Graft failure'), ('other', 'Other')], max_length=30, verbose_name='complication')),
                        ('onset_on', models.DateField(verbose_name='onset')),
                        ('grade', models.PositiveSmallIntegerField(blank=True, help_text='CTCAE v5 grade 1-5, if graded.', null=True, verbose_name='CTCAE grade')),
                        ('resolved_on', models.DateField(blank=True, null=True, verbose_name='resolved on')),
                        ('description', models.CharField(blank=True, max_length=300, verbose_name='description')),
                        ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='complications', to='pediatrics.hsctepisode')),
                    ],
                    options={
                        'db_table': 'support_hsctcomplication',
                        'ordering': ['onset_on', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='GVHDEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('kind', models.CharField(choices=[('acute', 'Acute (MAGIC stage 0-4)'), ('chronic', 'Chronic (NIH score 0-3)')], max_length=10, verbose_name='kind')),
                        ('organ', models.CharField(help_text='Organ code of the MAGIC or NIH vocabulary.', max_length=20, verbose_name='organ')),
                        ('stage', models.PositiveSmallIntegerField(help_text='Acute: MAGIC organ stage 0-4. Chronic: NIH score 0-3.', verbose_name='stage / score')),
                        ('observed_on', models.DateField(verbose_name='observed on')),
                        ('notes', models.CharField(blank=True, max_length=300, verbose_name='notes')),
                        ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='gvhd_entries', to='pediatrics.hsctepisode')),
                    ],
                    options={
                        'db_table': 'support_gvhdentry',
                        'ordering': ['observed_on', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='PediatricProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('sedation_required', models.BooleanField(default=False, help_text='The child needs sedation or anesthesia for procedures and radiotherapy; RT booking reads this as the anesthesia flag (first slot of the day, fasting).', verbose_name='sedation required')),
                        ('sedation_notes', models.CharField(blank=True, help_text='e.g. propofol by the anesthesia team; fasting from midnight.', max_length=300, verbose_name='sedation notes')),
                        ('patient', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='pediatric_profile', to='patients.patient')),
                    ],
                    options={
                        'db_table': 'support_pediatricprofile',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='BodyMeasurement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('measured_on', models.DateField(help_text='Date the child was measured.', verbose_name='measured on')),
                        ('height_cm', models.DecimalField(decimal_places=1, help_text='Height in centimetres.', max_digits=5, verbose_name='height (cm)')),
                        ('weight_kg', models.DecimalField(decimal_places=2, help_text='Weight in kilograms.', max_digits=6, verbose_name='weight (kg)')),
                        ('bsa_m2', models.DecimalField(decimal_places=2, editable=False, help_text='Body surface area by Mosteller: sqrt(height cm x weight kg / 3600).', max_digits=4, verbose_name='BSA (m²)')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='body_measurements', to='patients.patient')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'support_bodymeasurement',
                        'ordering': ['-measured_on', '-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('height_cm__gte', 30), ('height_cm__lte', 230)), name='measure_height_range'), models.CheckConstraint(condition=models.Q(('weight_kg__gte', Decimal('0.4')), ('weight_kg__lte', 250)), name='measure_weight_range'), models.CheckConstraint(condition=models.Q(('bsa_m2__gt', 0)), name='measure_bsa_positive')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='hsctepisode',
                    constraint=models.CheckConstraint(condition=models.Q(('neutrophil_engraftment_on__isnull', True), models.Q(('day0__isnull', False), ('neutrophil_engraftment_on__gte', models.F('day0'))), _connector='OR'), name='hsct_engraftment_after_day0'),
                ),
                migrations.AddConstraint(
                    model_name='hsctepisode',
                    constraint=models.CheckConstraint(condition=models.Q(('platelet_engraftment_on__isnull', True), models.Q(('day0__isnull', False), ('platelet_engraftment_on__gte', models.F('day0'))), _connector='OR'), name='hsct_platelets_after_day0'),
                ),
                migrations.AddConstraint(
                    model_name='hsctepisode',
                    constraint=models.CheckConstraint(condition=models.Q(('conditioning_start__isnull', True), ('day0__isnull', True), ('conditioning_start__lte', models.F('day0')), _connector='OR'), name='hsct_conditioning_before_day0'),
                ),
                migrations.AddConstraint(
                    model_name='hsctepisode',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('donor_type', 'autologous'), _negated=True), ('hla_match', ''), _connector='OR'), name='hsct_no_hla_for_autologous'),
                ),
                migrations.AddConstraint(
                    model_name='hsctepisode',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['planned', 'conditioning', 'infused', 'engrafted', 'graft_failure', 'completed', 'cancelled', 'entered-in-error'])), name='hsct_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='hsctcomplication',
                    constraint=models.CheckConstraint(condition=models.Q(('grade__isnull', True), models.Q(('grade__gte', 1), ('grade__lte', 5)), _connector='OR'), name='hsct_complication_grade'),
                ),
                migrations.AddConstraint(
                    model_name='hsctcomplication',
                    constraint=models.CheckConstraint(condition=models.Q(('resolved_on__isnull', True), ('resolved_on__gte', models.F('onset_on')), _connector='OR'), name='hsct_complication_resolved_after_onset'),
                ),
                migrations.AddConstraint(
                    model_name='gvhdentry',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'acute'), ('stage__lte', 4)), models.Q(('kind', 'chronic'), ('stage__lte', 3)), _connector='OR'), name='gvhd_stage_range'),
                ),
            ],
        ),
    ]
