"""Shapes of the pediatric record's forms. The rules live in services and come back as field
errors (``core.forms.run_service``). ``patient_from_mrn`` serves every pediatric service form
that names the child by MRN."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.core.forms import DATE, DomainForm, set_choices
from oncocenter.core.limits import TEXT_MAX
from oncocenter.patients.models import Patient
from oncocenter.patients.models_record import GuardianRelationship
from oncocenter.patients.selectors import patient_get
from oncocenter.pediatrics import vocab
from oncocenter.pediatrics.labels import vocab_choices
from oncocenter.pediatrics.models import ComplicationKind, GVHDKind, HSCTStatus


def patient_from_mrn(mrn: str, field: str = "mrn") -> Patient:
    """The child with this MRN; an unknown MRN is a problem of the form's MRN field."""
    try:
        return patient_get(mrn=mrn.strip(), audit=False)
    except NotFound as exc:
        raise ValidationFailed.single(field, exc.message, mrn) from None


def set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    """Give a model-choice field its rows when the form is built (not when the module loads)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    field.queryset = queryset


class ChildMrnForm(DomainForm):
    """A form that names the child by MRN (hospital school, aid, shelter, palliative, social)."""

    mrn = forms.CharField(label=_("Child's MRN"), max_length=10)

    def data_without_mrn(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "mrn"}


class SedationForm(DomainForm):
    sedation_required = forms.BooleanField(label=_("Sedation/anesthesia required"), required=False)
    sedation_notes = forms.CharField(label=_("Sedation notes"), required=False, max_length=300)


class MeasurementForm(DomainForm):
    # The service checks the converted values; a problem names the canonical unit's field.
    field_aliases = {"height_cm": "height", "weight_kg": "weight"}

    measured_on = forms.DateField(label=_("Measured on"), widget=DATE)
    height = forms.FloatField(label=_("Height"))
    height_unit = forms.ChoiceField(
        label=_("Unit"), choices=[("cm", "cm"), ("m", "m"), ("in", "in")]
    )
    weight = forms.FloatField(label=_("Weight"))
    weight_unit = forms.ChoiceField(
        label=_("Unit"), choices=[("kg", "kg"), ("g", "g"), ("lb", "lb")]
    )


class HSCTForm(DomainForm):
    indication = forms.CharField(label=_("Indication"), max_length=200)
    donor_type = forms.ChoiceField(
        label=_("Donor type"), choices=vocab_choices(vocab.donor_types())
    )
    stem_cell_source = forms.ChoiceField(
        label=_("Stem cell source"),
        required=False,
        choices=vocab_choices(vocab.stem_cell_sources(), blank=True),
    )
    hla_match = forms.CharField(label=_("HLA match (e.g. 10/10)"), required=False, max_length=5)
    conditioning_regimen = forms.ChoiceField(
        label=_("Conditioning regimen"),
        required=False,
        choices=vocab_choices(vocab.conditioning_regimens(), blank=True),
    )
    conditioning_details = forms.CharField(
        label=_("Conditioning details"), required=False, max_length=300
    )
    conditioning_start = forms.DateField(label=_("Conditioning start"), required=False, widget=DATE)
    day0 = forms.DateField(label=_("Day 0 (infusion)"), required=False, widget=DATE)
    neutrophil_engraftment_on = forms.DateField(
        label=_("Neutrophil engraftment"), required=False, widget=DATE
    )
    platelet_engraftment_on = forms.DateField(
        label=_("Platelet engraftment"), required=False, widget=DATE
    )
    status = forms.ChoiceField(label=_("Status"), choices=HSCTStatus.choices, initial="planned")
    notes = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _gvhd_organs() -> list[dict[str, Any]]:
    organs: dict[str, dict[str, Any]] = {}
    for kind in ("acute", "chronic"):
        for o in vocab.gvhd()[kind]["organs"]:
            organs.setdefault(o["code"], o)
    return [organs[code] for code in sorted(organs)]


class GVHDForm(DomainForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=GVHDKind.choices)
    organ = forms.ChoiceField(label=_("Organ"), choices=vocab_choices(_gvhd_organs()))
    stage = forms.IntegerField(label=_("Stage / score"), min_value=0, max_value=4)
    observed_on = forms.DateField(label=_("Observed on"), widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)


class ComplicationForm(DomainForm):
    kind = forms.ChoiceField(label=_("Complication"), choices=ComplicationKind.choices)
    onset_on = forms.DateField(label=_("Onset"), widget=DATE)
    grade = forms.IntegerField(label=_("CTCAE grade"), required=False)
    resolved_on = forms.DateField(label=_("Resolved on"), required=False, widget=DATE)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)


class GuardianForm(DomainForm):
    name_ko = forms.CharField(label=_("Name (Hangul)"), max_length=40)
    relationship = forms.ChoiceField(label=_("Relationship"), choices=[])
    birth_date = forms.DateField(label=_("Guardian's birth date"), widget=DATE)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    is_legal_representative = forms.BooleanField(
        label=_("Legal representative"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "relationship", list(GuardianRelationship.choices))
