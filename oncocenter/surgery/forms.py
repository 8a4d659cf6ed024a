"""Shapes of the surgery and response forms. The rules live in the services and come back as
field errors beside the field (by its label)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm
from oncocenter.core.limits import TEXT_MAX
from oncocenter.surgery import recist
from oncocenter.surgery.models import (
    Anastomosis,
    Approach,
    ClavienDindo,
    ComplicationKind,
    Margin,
    Neoadjuvant,
    Procedure,
    Residual,
    TrgSystem,
)

BLANK: list[tuple[str, str]] = [("", "—")]


def _optional_id(value: str) -> int | None:
    return int(value) if value else None


class OperationForm(DomainForm):
    diagnosis = forms.ChoiceField(label=_("Diagnosis"), required=False)
    recommendation = forms.ChoiceField(label=_("Tumor board recommendation"), required=False)
    neoadjuvant_episode = forms.ChoiceField(label=_("Neoadjuvant treatment"), required=False)
    neoadjuvant = forms.ChoiceField(
        label=_("Kind of neoadjuvant treatment"), choices=Neoadjuvant.choices
    )
    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices)
    approach = forms.ChoiceField(label=_("Approach"), choices=Approach.choices)
    anastomosis = forms.ChoiceField(label=_("Anastomosis"), choices=Anastomosis.choices)
    operated_on = forms.DateField(label=_("Date of operation"), widget=DATE)
    duration_min = forms.IntegerField(label=_("Duration (min)"))
    blood_loss_ml = forms.IntegerField(label=_("Blood loss (mL)"))
    nodes_harvested = forms.IntegerField(label=_("Lymph nodes harvested"), required=False)
    residual_tumor = forms.ChoiceField(label=_("Residual tumor"), choices=Residual.choices)
    intraoperative_events = forms.CharField(
        label=_("Intraoperative events"), required=False, max_length=500
    )
    feeding_jejunostomy = forms.BooleanField(label=_("Feeding jejunostomy placed"), required=False)
    assistants = forms.CharField(
        label=_("Assistants"),
        required=False,
        max_length=200,
        help_text=_("Names, separated by commas."),
    )
    anesthesiologist = forms.CharField(label=_("Anesthesiologist"), required=False, max_length=80)
    field_aliases = {"team": "assistants"}

    def service_kwargs(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        team = [
            {"role": "assistant", "name": n.strip()}
            for n in d.pop("assistants", "").split(",")
            if n.strip()
        ]
        if d.get("anesthesiologist"):
            team.append({"role": "anesthesiologist", "name": d["anesthesiologist"]})
        d.pop("anesthesiologist", None)
        d["team"] = team
        for key in ("diagnosis", "recommendation", "neoadjuvant_episode"):
            d.pop(key, None)
        return d


class PostopForm(DomainForm):
    discharged_on = forms.DateField(label=_("Discharged on"), widget=DATE, required=False)
    icu_days = forms.IntegerField(label=_("ICU days"), required=False)
    readmitted_30d = forms.BooleanField(label=_("Readmitted within 30 days"), required=False)
    oral_intake_on = forms.DateField(label=_("Return to oral intake"), widget=DATE, required=False)
    died_on = forms.DateField(label=_("Date of death"), widget=DATE, required=False)


class ComplicationForm(DomainForm):
    kind = forms.ChoiceField(label=_("Complication"), choices=ComplicationKind.choices)
    eccg_type = forms.CharField(
        label=_("ECCG type"),
        required=False,
        max_length=6,
        help_text=_("Leak/necrosis I-III; chyle leak IA-IIIB; nerve palsy IU-IIIB; pneumonia ATS."),
    )
    clavien_dindo = forms.ChoiceField(label=_("Clavien-Dindo grade"), choices=ClavienDindo.choices)
    occurred_on = forms.DateField(label=_("Date of onset"), widget=DATE)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)


class PathologyForm(DomainForm):
    reported_on = forms.DateField(label=_("Report date"), widget=DATE)
    t_category = forms.CharField(label=_("ypT / pT"), max_length=8)
    n_category = forms.CharField(label=_("ypN / pN"), max_length=8)
    m_category = forms.CharField(label=_("M"), max_length=8, initial="M0")
    nodes_examined = forms.IntegerField(label=_("Nodes examined"))
    nodes_positive = forms.IntegerField(label=_("Nodes positive"))
    proximal_margin = forms.ChoiceField(label=_("Proximal margin"), choices=Margin.choices)
    distal_margin = forms.ChoiceField(label=_("Distal margin"), choices=Margin.choices)
    circumferential_margin = forms.ChoiceField(
        label=_("Circumferential margin"), choices=Margin.choices
    )
    closest_margin_mm = forms.DecimalField(label=_("Closest margin (mm)"), required=False)
    trg_system = forms.ChoiceField(
        label=_("Regression grading"), choices=BLANK + list(TrgSystem.choices), required=False
    )
    trg = forms.IntegerField(label=_("Tumor regression grade"), required=False)


class RecistForm(DomainForm):
    diagnosis = forms.ChoiceField(label=_("Diagnosis"), required=False)
    baseline = forms.ChoiceField(
        label=_("Compared with baseline"),
        required=False,
        help_text=_("Empty: this is a new baseline."),
    )
    assessed_on = forms.DateField(label=_("Imaging date"), widget=DATE)
    lesions = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Target lesions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: label; organ; diameter in mm; node (yes/no). Nodes: short axis."
        ),
    )
    non_target = forms.ChoiceField(
        label=_("Non-target lesions"),
        choices=[
            (recist.NT_NONE, _("None recorded")),
            (recist.NT_CR, _("Complete response")),
            (recist.NT_NON_CR_NON_PD, _("Non-CR / non-PD")),
            (recist.NT_PD, _("Unequivocal progression")),
        ],
    )
    new_lesions = forms.BooleanField(label=_("New lesions"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def lesion_rows(self) -> list[dict[str, Any]]:
        rows = []
        for line in self.cleaned_data["lesions"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            parts += [""] * (4 - len(parts))
            try:
                mm: Decimal | str = Decimal(parts[2])
            except InvalidOperation:
                mm = ""
            rows.append(
                {
                    "label": parts[0],
                    "organ": parts[1],
                    "diameter_mm": mm,
                    "is_node": parts[3].lower() in ("yes", "y", "node", "예"),
                }
            )
        return rows


class InrcForm(DomainForm):
    diagnosis = forms.ChoiceField(label=_("Diagnosis"), required=False)
    baseline = forms.ChoiceField(
        label=_("Compared with baseline"),
        required=False,
        help_text=_("Empty: this is a new baseline."),
    )
    assessed_on = forms.DateField(label=_("Imaging date"), widget=DATE)
    primary_mm = forms.DecimalField(label=_("Primary tumor longest diameter (mm)"), required=False)
    curie_score = forms.IntegerField(label=_("MIBG Curie score"), required=False)
    marrow_pct = forms.DecimalField(label=_("Bone marrow infiltration (%)"), required=False)
    new_lesions = forms.BooleanField(label=_("New lesions"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
