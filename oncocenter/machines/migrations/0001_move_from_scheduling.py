"""Take over the machine models from scheduling, in Django's state only.

The tables already have their `machines_*` names (`scheduling.0004`), so nothing is created:
`SeparateDatabaseAndState` records the models here with the same fields, constraints and index
names they had in scheduling. On a fresh database the tables were just created by scheduling's
migrations and renamed; on an existing one they carry every row over.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TECHNIQUES = [
    ("3D", "3D-CRT"),
    ("IMRT", "IMRT"),
    ("VMAT", "VMAT"),
    ("SBRT", "SBRT"),
    ("SRS", "SRS"),
    ("ELECTRON", "Electrons"),
    ("HDR", "HDR brachytherapy"),
]

STATE = [
    migrations.CreateModel(
        name="Machine",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ("code", models.CharField(help_text="Short id used in schedules, e.g. LINAC-1.", max_length=20, unique=True, verbose_name="code")),
            ("name", models.CharField(max_length=80, verbose_name="name")),
            ("kind", models.CharField(choices=[("linac", "Linear accelerator"), ("afterloader", "HDR afterloader")], max_length=20, verbose_name="kind")),
            ("model", models.CharField(blank=True, help_text="Vendor model, e.g. TrueBeam.", max_length=80, verbose_name="model")),
            ("room", models.CharField(blank=True, max_length=40, verbose_name="room")),
            ("opens_at", models.TimeField(help_text="Start of treatment hours (center time).", verbose_name="opens at")),
            ("closes_at", models.TimeField(help_text="End of treatment hours (center time).", verbose_name="closes at")),
            ("in_service", models.BooleanField(default=True, help_text="Off: the machine cannot be booked or record deliveries.", verbose_name="in service")),
            ("commissioned_on", models.DateField(blank=True, null=True, verbose_name="commissioned on")),
        ],
        options={
            "ordering": ["code"],
            "constraints": [models.CheckConstraint(condition=models.Q(("closes_at__gt", models.F("opens_at"))), name="machine_hours_ordered")],
        },
    ),
    migrations.CreateModel(
        name="MachineTechnique",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("technique", models.CharField(choices=TECHNIQUES, max_length=10)),
            ("machine", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="techniques", to="machines.machine")),
        ],
        options={
            "constraints": [
                models.UniqueConstraint(fields=("machine", "technique"), name="machine_technique_once"),
                models.CheckConstraint(condition=models.Q(("technique__in", ["3D", "IMRT", "VMAT", "SBRT", "SRS", "ELECTRON", "HDR"])), name="machine_technique_known"),
            ],
        },
    ),
    migrations.CreateModel(
        name="MachineDowntime",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ("kind", models.CharField(choices=[("qa", "Planned QA / maintenance"), ("outage", "Unplanned outage")], max_length=10, verbose_name="kind")),
            ("start", models.DateTimeField(help_text="First minute the machine is down.", verbose_name="start")),
            ("end", models.DateTimeField(help_text="The machine can treat again from this time.", verbose_name="end")),
            ("reason", models.CharField(help_text="e.g. monthly QA, MLC fault, magnetron failure.", max_length=300, verbose_name="reason")),
            ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="changes confirmed at")),
            ("rebook_summary", models.JSONField(blank=True, default=dict, help_text="Counts and unresolved sessions of the automatic rebooking.", verbose_name="rebooking summary")),
            ("confirmed_by", models.ForeignKey(blank=True, help_text="Scheduler who reviewed the automatic rebooking of an outage.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="changes confirmed by")),
            ("machine", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="downtimes", to="machines.machine")),
            ("reported_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="reported by")),
        ],
        options={
            "ordering": ["-start"],
            "indexes": [models.Index(fields=["machine", "start"], name="sched_downtime_machine_start")],
            "constraints": [
                models.CheckConstraint(condition=models.Q(("end__gt", models.F("start"))), name="sched_downtime_end_after_start"),
                models.CheckConstraint(condition=models.Q(("kind__in", ["qa", "outage"])), name="sched_downtime_kind"),
                models.CheckConstraint(condition=models.Q(("reason", ""), _negated=True), name="sched_downtime_reason_given"),
                models.CheckConstraint(condition=models.Q(("confirmed_at__isnull", True), ("confirmed_by__isnull", False), _connector="OR"), name="sched_downtime_confirm_has_person"),
            ],
        },
    ),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("scheduling", "0004_rename_machine_tables"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=STATE)]
