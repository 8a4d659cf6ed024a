"""Shapes of the support forms. The rules live in services and come back as field errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.errors import DomainError
from oncocenter.support import vocab
from oncocenter.support.models import (
    AidNeed,
    AidStatus,
    AttendanceSetting,
    AttendanceStatus,
    ComplicationKind,
    GVHDKind,
    HSCTStatus,
    InterventionOutcome,
    PalliativeStatus,
    PlaceOfCare,
    ReturnPlanStatus,
    SchoolLevel,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _vchoices(items: list[dict], blank: bool = False) -> list[tuple[str, str]]:
    out = [(i["code"], i["en"]) for i in items]
    return [("", "---------"), *out] if blank else out


class DomainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        # Several forms share a page: ids carry the form's name so that labels stay unique.
        kwargs.setdefault("auto_id", f"{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)

    def add_domain_errors(self, exc: DomainError) -> None:
        for problem in exc.problems:
            field = problem.field.split(".")[0]
            self.add_error(field if field in self.fields else None, problem.message)
        if not exc.problems:
            self.add_error(None, exc.message)

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items()}


class SedationForm(DomainForm):
    sedation_required = forms.BooleanField(label=_("Sedation/anesthesia required"), required=False)
    sedation_notes = forms.CharField(label=_("Sedation notes"), required=False, max_length=300)


class MeasurementForm(DomainForm):
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
    donor_type = forms.ChoiceField(label=_("Donor type"), choices=_vchoices(vocab.donor_types()))
    stem_cell_source = forms.ChoiceField(
        label=_("Stem cell source"),
        required=False,
        choices=_vchoices(vocab.load("donor_types.json")["stem_cell_sources"], blank=True),
    )
    hla_match = forms.CharField(label=_("HLA match (e.g. 10/10)"), required=False, max_length=5)
    conditioning_regimen = forms.ChoiceField(
        label=_("Conditioning regimen"),
        required=False,
        choices=_vchoices(vocab.conditioning_regimens(), blank=True),
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
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GVHDForm(DomainForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=GVHDKind.choices)
    organ = forms.ChoiceField(
        label=_("Organ"),
        choices=sorted(
            {(o["code"], o["en"]) for k in ("acute", "chronic") for o in vocab.gvhd()[k]["organs"]}
        ),
    )
    stage = forms.IntegerField(label=_("Stage / score"), min_value=0, max_value=4)
    observed_on = forms.DateField(label=_("Observed on"), widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)


class ComplicationForm(DomainForm):
    kind = forms.ChoiceField(label=_("Complication"), choices=ComplicationKind.choices)
    onset_on = forms.DateField(label=_("Onset"), widget=DATE)
    grade = forms.IntegerField(label=_("CTCAE grade"), required=False)
    resolved_on = forms.DateField(label=_("Resolved on"), required=False, widget=DATE)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)


class SchoolClassForm(DomainForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    level = forms.ChoiceField(label=_("Level"), choices=SchoolLevel.choices)
    room = forms.CharField(label=_("Room"), required=False, max_length=40)
    schedule = forms.CharField(label=_("Schedule"), required=False, max_length=120)


class EnrollmentForm(DomainForm):
    school_class: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Class"), queryset=None)
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=DATE)
    home_school = forms.CharField(label=_("Home school"), required=False, max_length=120)
    home_grade = forms.CharField(label=_("Grade at home school"), required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        from oncocenter.support.models import SchoolClass

        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(active=True)  # type: ignore[attr-defined]


class AttendanceForm(DomainForm):
    on = forms.DateField(label=_("Date"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=AttendanceStatus.choices)
    setting = forms.ChoiceField(label=_("Setting"), choices=AttendanceSetting.choices)
    during_admission = forms.BooleanField(
        label=_("During admission"),
        required=False,
        help_text=_("Left empty, it is taken from the admission records."),
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, initial=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class ReturnPlanForm(DomainForm):
    planned_return_on = forms.DateField(label=_("Planned return"), required=False, widget=DATE)
    school_contact = forms.CharField(label=_("School contact"), required=False, max_length=120)
    accommodations = forms.CharField(
        label=_("Accommodations"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    status = forms.ChoiceField(label=_("Status"), choices=ReturnPlanStatus.choices)


class OrganisationForm(DomainForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    contact = forms.CharField(label=_("Contact"), required=False, max_length=200)
    support_types = forms.CharField(label=_("Support types"), required=False, max_length=200)


class AidForm(DomainForm):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None
    )
    need = forms.ChoiceField(label=_("Need"), choices=AidNeed.choices)
    need_description = forms.CharField(label=_("Need description"), required=False, max_length=300)
    amount_requested = forms.DecimalField(label=_("Amount requested (KRW)"), decimal_places=0)
    documents = forms.MultipleChoiceField(
        label=_("Documents provided"),
        required=False,
        choices=_vchoices(vocab.aid_documents()),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        from oncocenter.support.models import AidOrganisation

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = AidOrganisation.objects.filter(active=True)  # type: ignore[attr-defined]


class AidDocumentsForm(DomainForm):
    documents = forms.MultipleChoiceField(
        label=_("Documents provided"),
        required=False,
        choices=_vchoices(vocab.aid_documents()),
        widget=forms.CheckboxSelectMultiple,
    )


class AidTransitionForm(DomainForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=AidStatus.choices)
    amount_granted = forms.DecimalField(
        label=_("Amount granted (KRW)"), required=False, decimal_places=0
    )
    decision_note = forms.CharField(label=_("Decision note"), required=False, max_length=300)


class HouseForm(DomainForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)


class RoomForm(DomainForm):
    house: forms.ModelChoiceField = forms.ModelChoiceField(label=_("House"), queryset=None)
    number = forms.CharField(label=_("Room"), max_length=20)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)

    def __init__(self, *args, **kwargs):
        from oncocenter.support.models import ShelterHouse

        super().__init__(*args, **kwargs)
        self.fields["house"].queryset = ShelterHouse.objects.filter(active=True)  # type: ignore[attr-defined]


class CheckInForm(DomainForm):
    room: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Room"), queryset=None)
    mrn = forms.CharField(label=_("Child's MRN"), max_length=10)
    guests = forms.IntegerField(label=_("Guests"), min_value=1, initial=2)
    check_in = forms.DateField(label=_("Check-in"), widget=DATE)
    check_out = forms.DateField(label=_("Check-out"), required=False, widget=DATE)
    waitlist_entry = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        from oncocenter.support.models import ShelterRoom

        super().__init__(*args, **kwargs)
        rooms = ShelterRoom.objects.filter(active=True).select_related("house")
        self.fields["room"].queryset = rooms  # type: ignore[attr-defined]


class CheckOutForm(DomainForm):
    check_out = forms.DateField(label=_("Check-out"), widget=DATE)


class WaitlistForm(DomainForm):
    mrn = forms.CharField(label=_("Child's MRN"), max_length=10)
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE)
    distance_km = forms.IntegerField(label=_("Distance from home (km)"), min_value=0)
    financial_need = forms.ChoiceField(
        label=_("Financial need"),
        choices=_vchoices(vocab.shelter_ranking()["financial_need_levels"]),
    )
    treatment_intensity = forms.ChoiceField(
        label=_("Treatment intensity"),
        choices=_vchoices(vocab.shelter_ranking()["treatment_intensity_levels"]),
    )
    guests = forms.IntegerField(label=_("Guests"), min_value=1, initial=2)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)


class PalliativeReferForm(DomainForm):
    referred_on = forms.DateField(label=_("Referred on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PalliativeUpdateForm(DomainForm):
    status = forms.ChoiceField(label=_("Status"), choices=PalliativeStatus.choices)
    goals_of_care = forms.CharField(
        label=_("Goals of care"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    symptom_plan = forms.CharField(
        label=_("Symptom plan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    advance_care_planning = forms.CharField(
        label=_("Advance care planning notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    place_of_care = forms.ChoiceField(
        label=_("Place-of-care preference"), choices=PlaceOfCare.choices
    )
    decline_reason = forms.CharField(label=_("Reason declined"), required=False, max_length=300)


class BereavementForm(DomainForm):
    planned_on = forms.DateField(label=_("Planned on"), widget=DATE)
    kind = forms.ChoiceField(
        label=_("Contact"),
        choices=[
            ("call", _("Call")),
            ("visit", _("Visit")),
            ("letter", _("Letter")),
            ("memorial", _("Memorial")),
        ],
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)


class SocialCaseForm(DomainForm):
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)


class AssessmentForm(DomainForm):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        levels = _vchoices(vocab.load("social_work_domains.json")["levels"])
        for d in vocab.social_work_domains():
            self.fields[f"level_{d['code']}"] = forms.ChoiceField(
                label=d["en"], choices=levels, initial="none"
            )

    def data_for_service(self) -> dict:
        levels = {k[6:]: v for k, v in self.cleaned_data.items() if k.startswith("level_")}
        return {
            "assessed_on": self.cleaned_data["assessed_on"],
            "summary": self.cleaned_data["summary"],
            "levels": levels,
        }

    def add_domain_errors(self, exc: DomainError) -> None:
        for problem in exc.problems:
            name = problem.field.replace("levels.", "level_")
            self.add_error(name if name in self.fields else None, problem.message)


class InterventionForm(DomainForm):
    domain = forms.ChoiceField(label=_("Domain"), choices=_vchoices(vocab.social_work_domains()))
    description = forms.CharField(label=_("Intervention"), max_length=300)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)


class OutcomeForm(DomainForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InterventionOutcome.choices)
    outcome_note = forms.CharField(label=_("Outcome note"), required=False, max_length=300)
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DATE)


class GuardianForm(DomainForm):
    name_ko = forms.CharField(label=_("Name (Hangul)"), max_length=40)
    relationship = forms.ChoiceField(label=_("Relationship"), choices=[])
    birth_date = forms.DateField(label=_("Guardian's birth date"), widget=DATE)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    is_legal_representative = forms.BooleanField(
        label=_("Legal representative"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        from oncocenter.patients.models_record import GuardianRelationship

        super().__init__(*args, **kwargs)
        self.fields["relationship"].choices = GuardianRelationship.choices  # type: ignore[attr-defined]
