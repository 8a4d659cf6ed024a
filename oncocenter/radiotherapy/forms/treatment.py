"""Forms of treatment: sessions (delivery, missed, HDR details) and weekly reviews."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django import forms
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.accounts.models import User
from oncocenter.core.forms import DATE, DATETIME, today
from oncocenter.core.limits import SHORT_MAX, TEXT_MAX, USERNAME_MAX
from oncocenter.machines.models import MachineKind
from oncocenter.radiotherapy.forms.base import (
    MachineField,
    RtForm,
    TargetForm,
    _in_language,
)
from oncocenter.radiotherapy.models import (
    Course,
    CtcaeTerm,
    Delivery,
    Fraction,
    ImageReview,
    ImagingKind,
)

# --- sessions --------------------------------------------------------------------------------


class FractionTargetForm(TargetForm):
    model: ClassVar[type[Model]] = Fraction


class DeliverForm(FractionTargetForm):
    id_stem = "d"
    ids = {
        "id_mrn": "id-mrn-{key}",
        "id_birth_date": "id-bd-{key}",
        "id_name": "id-nm-{key}",
        "machine": "dm-{key}",
        "delivered_at": "dt-{key}",
        "meterset_delivered": "mu-{key}",
        "partial": "pt-{key}",
        "late_entry_reason": "late-{key}",
        "override_reason": "ovr-{key}",
    }
    field_aliases = {f"identifiers.{k}": f"id_{k}" for k in ("mrn", "birth_date", "name")}
    id_mrn = forms.CharField(
        max_length=SHORT_MAX,
        label=gettext_lazy("MRN (scanned or read back)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    id_birth_date = forms.CharField(
        max_length=SHORT_MAX,
        label=gettext_lazy("Birth date stated by the patient"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    id_name = forms.CharField(
        max_length=SHORT_MAX,
        label=gettext_lazy("Name stated by the patient"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    machine = MachineField(label=gettext_lazy("Machine"))
    delivered_at = forms.DateTimeField(label=gettext_lazy("Beam on at"), widget=DATETIME)
    meterset_delivered = forms.DecimalField(
        label=gettext_lazy("Meterset delivered (MU; required if partial)"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    partial = forms.BooleanField(label=gettext_lazy("Partial treatment"), required=False)
    late_entry_reason = forms.CharField(
        label=gettext_lazy("Late entry: why recorded only now"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Needed when entered more than an hour after the beam-on time."),
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Off-schedule override (signed): reason"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "Needed off the booked day or machine, on a closed day, or for a second fraction "
            "on one day."
        ),
    )

    def __init__(self, *args: Any, course: Course, key: object = "", **kwargs: Any) -> None:
        fraction = kwargs.pop("fraction", None)
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("delivered_at", timezone.localtime().replace(second=0, microsecond=0))
        if fraction is not None and fraction.machine is not None:
            initial.setdefault("machine", fraction.machine.code)
        super().__init__(*args, course=course, key=key, **kwargs)

    def identifiers(self) -> dict[str, str]:
        given = {k: self.cleaned_data[f"id_{k}"] for k in ("mrn", "birth_date", "name")}
        return {k: v for k, v in given.items() if v}


class ReasonForm(FractionTargetForm):
    """Why a session was missed."""

    id_stem = "miss"
    ids = {"reason": "miss-{key}"}
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("reason")}),
    )


class DeliveryErrorForm(ReasonForm):
    """Why a delivery record is entered in error."""

    model: ClassVar[type[Model]] = Delivery
    id_stem = "err"
    ids = {"reason": "err-{key}"}


class ImageReviewForm(TargetForm):
    """The therapist approves one delivery's treatment images: kind and couch shifts (mm).

    No default answer: the imaging kind starts unselected and every shift must be typed.
    """

    model: ClassVar[type[Model]] = Delivery
    id_stem = "img"
    kind = forms.ChoiceField(
        label=gettext_lazy("Imaging"), choices=ImagingKind.choices, widget=forms.RadioSelect
    )
    shift_lat_mm = forms.DecimalField(
        label=gettext_lazy("Couch shift lateral (mm)"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )
    shift_long_mm = forms.DecimalField(
        label=gettext_lazy("Couch shift longitudinal (mm)"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )
    shift_vert_mm = forms.DecimalField(
        label=gettext_lazy("Couch shift vertical (mm)"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )


class ImageSignForm(TargetForm):
    """The physician signs the offline review of out-of-tolerance images."""

    model: ClassVar[type[Model]] = ImageReview
    id_stem = "irs"
    note = forms.CharField(label=gettext_lazy("Review note"), max_length=300, required=False)


class UsernameField(forms.CharField):
    """A staff member named by username (empty: nobody)."""

    def clean(self, value: Any) -> User | None:
        username = super().clean(value)
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("unknown user"))
        return user


class BrachyForm(FractionTargetForm):
    id_stem = "hdr"
    ids = {
        "applicator": "ap-{key}",
        "room": "rm-{key}",
        "afterloader": "al-{key}",
        "anesthesia": "an-flag-{key}",
        "physician_present": "pp-{key}",
        "physicist_present": "php-{key}",
        "anesthesiologist": "an-{key}",
    }
    applicator = forms.CharField(label=gettext_lazy("Applicator"), max_length=120, required=False)
    room = forms.CharField(label=gettext_lazy("Room"), max_length=40, required=False)
    afterloader = MachineField(label=gettext_lazy("Afterloader"), kinds=(MachineKind.AFTERLOADER,))
    anesthesia = forms.BooleanField(label=gettext_lazy("Under anesthesia"), required=False)
    physician_present = UsernameField(
        max_length=USERNAME_MAX, label=gettext_lazy("Physician present (username)"), required=False
    )
    physicist_present = UsernameField(
        max_length=USERNAME_MAX, label=gettext_lazy("Physicist present (username)"), required=False
    )
    anesthesiologist = UsernameField(
        max_length=USERNAME_MAX, label=gettext_lazy("Anesthesiologist (username)"), required=False
    )


# --- reviews ---------------------------------------------------------------------------------


class WeeklyReviewForm(RtForm):
    """The weekly visit: a CTCAE grade for the terms assessed (others left empty), notes."""

    id_stem = "rv"
    ids = {"reviewed_on": "rv-date", "notes": "rv-notes"}
    reviewed_on = forms.DateField(label=gettext_lazy("Date"), initial=today, widget=DATE)
    notes = forms.CharField(
        max_length=TEXT_MAX,
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )
    continue_treatment = forms.ChoiceField(
        label=gettext_lazy("Continue treatment"),
        choices=[("1", gettext_lazy("Yes")), ("0", gettext_lazy("No"))],
        initial="1",
        required=False,
    )

    def __init__(self, *args: Any, course: Course, key: object = "", **kwargs: Any) -> None:
        super().__init__(*args, course=course, key=key, **kwargs)
        self.terms = list(CtcaeTerm.objects.filter(active=True))
        for term in self.terms:
            name = f"grade-{term.code}"
            choices = [("", "—"), ("0", "0")] + [
                (g, f"{g}: {desc[:60]}") for g, desc in term.grades.items()
            ]
            self.fields[name] = forms.ChoiceField(
                label=_in_language(term.term, term.term_ko), choices=choices, required=False
            )
            self.fields[name].widget.attrs["id"] = f"g-{term.code}"

    def field_for(self, name: str) -> str | None:
        # The service names a grade "grades.<term code>"; its input is "grade-<term code>".
        if name.startswith("grades."):
            name = "grade-" + name.removeprefix("grades.")
        return super().field_for(name)

    def clean_continue_treatment(self) -> bool:
        return bool(self.cleaned_data["continue_treatment"] != "0")

    def grade_fields(self) -> Iterator[tuple[CtcaeTerm, forms.BoundField]]:
        for term in self.terms:
            yield term, self[f"grade-{term.code}"]

    def grades(self) -> dict[str, str]:
        return {
            t.code: self.cleaned_data[f"grade-{t.code}"]
            for t in self.terms
            if self.cleaned_data[f"grade-{t.code}"] != ""
        }
