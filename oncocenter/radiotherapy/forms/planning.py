"""Forms of the course up to treatment: the course, prescriptions, plans, checklists, QA."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.accounts.models import User
from oncocenter.core.forms import DATE, DomainForm, today
from oncocenter.core.limits import TEXT_MAX
from oncocenter.core.roles import Role
from oncocenter.machines.models import Technique
from oncocenter.oncology.models import Diagnosis
from oncocenter.radiotherapy.forms.base import (
    ANSWERS,
    NO_ANSWER,
    DiagnosisChoiceField,
    MachineField,
    RtForm,
    StaffChoiceField,
    TargetForm,
    _in_language,
)
from oncocenter.radiotherapy.models import (
    ChecklistItem,
    ChecklistKind,
    Course,
    CourseStatus,
    Intent,
    InterruptionReview,
    Pattern,
    Plan,
)

# --- the course ------------------------------------------------------------------------------


class CourseCreateForm(DomainForm):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=120, required=False)
    intent = forms.ChoiceField(label=gettext_lazy("Intent"), choices=Intent.choices)
    physician = StaffChoiceField(
        label=gettext_lazy("Radiation oncologist"),
        queryset=User.objects.none(),
        to_field_name="username",
    )
    notes = forms.CharField(
        max_length=TEXT_MAX,
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "c-%s")
        super().__init__(*args, **kwargs)
        physician = self.fields["physician"]
        assert isinstance(physician, forms.ModelChoiceField)
        physician.queryset = User.objects.filter(
            role_assignments__role=Role.RADIATION_ONCOLOGIST, is_active=True
        ).order_by("username")


class CloseForm(RtForm):
    id_stem = "cl"
    status = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            (CourseStatus.COMPLETED, CourseStatus.COMPLETED.label),
            (CourseStatus.STOPPED, CourseStatus.STOPPED.label),
        ],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (required when stopped)"), max_length=300, required=False
    )


class SuspendForm(RtForm):
    id_stem = "sus"
    reason = forms.CharField(
        label=gettext_lazy("Reason for suspending"), max_length=300, required=False
    )


class ResumeForm(RtForm):
    id_stem = "res"
    note = forms.CharField(label=gettext_lazy("Note on resuming"), max_length=300, required=False)


# --- prescriptions ---------------------------------------------------------------------------


class PrescriptionForm(RtForm):
    """A new prescription. The doses and counts are checked by the service, which says why."""

    ids = {
        "site": "rx-site",
        "technique": "rx-tech",
        "energy": "rx-energy",
        "dose_per_fraction_gy": "rx-dpf",
        "number_of_fractions": "rx-n",
        "pattern": "rx-pattern",
        "intent": "rx-intent",
        "diagnosis": "rx-dx",
        "no_diagnosis_reason": "rx-nodx",
        "icd10_code": "rx-icd",
        "icdo3_morphology": "rx-morph",
    }
    site = forms.CharField(label=gettext_lazy("Treatment site"), max_length=120, required=False)
    technique = forms.ChoiceField(label=gettext_lazy("Technique"), choices=Technique.choices)
    energy = forms.CharField(
        label=gettext_lazy("Energy"), max_length=30, required=False, initial="6 MV"
    )
    dose_per_fraction_gy = forms.DecimalField(
        label=gettext_lazy("Dose per fraction (Gy)"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.001"}),
    )
    number_of_fractions = forms.IntegerField(
        label=gettext_lazy("Number of fractions"), required=False
    )
    pattern = forms.ChoiceField(
        label=gettext_lazy("Pattern"),
        choices=Pattern.choices,
        initial=Pattern.DAILY,
        required=False,
    )
    intent = forms.ChoiceField(label=gettext_lazy("Intent"), choices=Intent.choices)
    diagnosis = DiagnosisChoiceField(
        label=gettext_lazy("Diagnosis"),
        queryset=Diagnosis.objects.none(),
        required=False,
        empty_label="—",
    )
    no_diagnosis_reason = forms.CharField(
        label=gettext_lazy("Reason for no diagnosis"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Only when no diagnosis is linked."),
    )
    icd10_code = forms.CharField(label=gettext_lazy("ICD-10"), max_length=10, required=False)
    icdo3_morphology = forms.CharField(
        label=gettext_lazy("ICD-O-3 morphology"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "8070/3"}),
    )

    def __init__(self, *args: Any, course: Course, key: object = "", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("intent", course.intent)
        super().__init__(*args, course=course, key=key, **kwargs)
        diagnosis = self.fields["diagnosis"]
        assert isinstance(diagnosis, forms.ModelChoiceField)
        diagnosis.queryset = Diagnosis.objects.filter(patient_id=course.patient_id).order_by(
            "-diagnosed_on"
        )


class PrescriptionEditForm(TargetForm):
    """Edit a prescription: only the fields filled in change (the service voids signatures)."""

    id_stem = "e"
    ids = {
        "dose_per_fraction_gy": "e-dpf-{key}",
        "number_of_fractions": "e-n-{key}",
        "notes": "e-notes-{key}",
    }
    dose_per_fraction_gy = forms.DecimalField(
        label=gettext_lazy("Dose per fraction (Gy)"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.001"}),
    )
    number_of_fractions = forms.IntegerField(
        label=gettext_lazy("Number of fractions"), required=False
    )
    notes = forms.CharField(max_length=TEXT_MAX, label=gettext_lazy("Notes"), required=False)

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "target" and v not in (None, "")}


class GapReviewForm(TargetForm):
    id_stem = "g"
    ids = {"decision": "gd-{key}", "note": "gn-{key}"}
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=InterruptionReview.Decision.choices
    )
    note = forms.CharField(label=gettext_lazy("Plan or reason"), max_length=300, required=False)


# --- plans -----------------------------------------------------------------------------------


class PlanTargetForm(TargetForm):
    model: ClassVar[type[Model]] = Plan


class PlanTransferForm(PlanTargetForm):
    """A physicist moves the plan to a machine not beam-matched to it (a new plan to approve)."""

    id_stem = "tr"
    machine = MachineField(label=gettext_lazy("New machine"), describe=True)
    meterset_per_fraction = forms.DecimalField(
        label=gettext_lazy("Meterset per fraction on the new machine (MU; empty: unchanged)"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason and recalculation done"), max_length=300, required=False
    )


class PlanCreateForm(TargetForm):
    id_stem = "pl"
    ids = {
        "label": "pl-label-{key}",
        "machine": "pl-m-{key}",
        "fractions_planned": "pl-n-{key}",
        "dose_per_fraction_gy": "pl-d-{key}",
        "meterset_per_fraction": "pl-mu-{key}",
    }
    label = forms.CharField(label=gettext_lazy("Plan label"), max_length=64, required=False)
    machine = MachineField(label=gettext_lazy("Machine"), describe=True)
    fractions_planned = forms.IntegerField(label=gettext_lazy("Fractions planned"))
    dose_per_fraction_gy = forms.DecimalField(
        label=gettext_lazy("Dose per fraction (Gy)"),
        widget=forms.NumberInput(attrs={"step": "0.001"}),
    )
    meterset_per_fraction = forms.DecimalField(
        label=gettext_lazy("Meterset per fraction (MU)"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )

    def __init__(self, *args: Any, course: Course, key: object = "", **kwargs: Any) -> None:
        rx = kwargs.pop("prescription", None)
        if rx is not None:
            kwargs.setdefault("initial", {}).update(
                {
                    "label": rx.site[:20],
                    "fractions_planned": rx.number_of_fractions,
                    "dose_per_fraction_gy": rx.dose_per_fraction_gy,
                }
            )
        super().__init__(*args, course=course, key=key, **kwargs)


class PlanImportForm(TargetForm):
    id_stem = "imp"
    ids = {"file": "imp-{key}"}
    file = forms.FileField(
        label=gettext_lazy("Import DICOM RT Plan"),
        error_messages={"required": gettext_lazy("choose a DICOM RT Plan file")},
        widget=forms.ClearableFileInput(attrs={"accept": ".dcm,application/dicom"}),
    )


class PlanDicomForm(TargetForm):
    """An RT Structure Set or RT Dose for the plan (checked from its header, imported by a job)."""

    model: ClassVar[type[Model]] = Plan
    id_stem = "rto"
    ids = {"file": "rto-{key}"}
    file = forms.FileField(
        label=gettext_lazy("Import an RT Structure Set or RT Dose (DICOM)"),
        error_messages={"required": gettext_lazy("choose a DICOM RT Structure Set or RT Dose")},
        widget=forms.ClearableFileInput(attrs={"accept": ".dcm,application/dicom"}),
    )


class OrganDosesForm(TargetForm):
    model: ClassVar[type[Model]] = Plan
    id_stem = "od"
    ids = {"doses": "od-{key}"}
    doses = forms.CharField(
        max_length=TEXT_MAX,
        label=gettext_lazy("One per line: organ, metric, value, unit (Gy or %)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 50}),
    )

    def clean_doses(self) -> list[dict[str, str]]:
        doses = []
        for n, line in enumerate(self.cleaned_data["doses"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) not in (3, 4):
                raise forms.ValidationError(
                    _("line %(n)d: write organ, metric, value[, unit]") % {"n": n}
                )
            doses.append(
                {
                    "organ": parts[0],
                    "metric": parts[1],
                    "value": parts[2],
                    "unit": parts[3] if len(parts) == 4 else "Gy",
                }
            )
        return doses


class DvhForm(TargetForm):
    model: ClassVar[type[Model]] = Plan
    id_stem = "dvh"
    ids = {"file": "dvh-{key}"}
    file = forms.FileField(
        label=gettext_lazy("Import a DVH text export"),
        error_messages={"required": gettext_lazy("choose a DVH export file")},
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
    )

    def clean_file(self) -> str:
        try:
            return str(self.cleaned_data["file"].read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("must be UTF-8 text")) from None


class OverrideForm(TargetForm):
    """A physician's written acceptance of one failing constraint (organ, metric, cumulative)."""

    model: ClassVar[type[Model]] = Plan
    id_stem = "ov"
    organ = forms.CharField(max_length=TEXT_MAX, widget=forms.HiddenInput)
    metric = forms.CharField(max_length=TEXT_MAX, widget=forms.HiddenInput)
    cumulative = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.HiddenInput)
    justification = forms.CharField(
        max_length=TEXT_MAX,
        label=gettext_lazy("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args: Any, course: Course, key: object = "", **kwargs: Any) -> None:
        failure = kwargs.pop("failure", None)
        if failure is not None:
            kwargs.setdefault("initial", {}).update(
                {
                    "organ": failure["organ"],
                    "metric": failure["metric"],
                    "cumulative": "1" if failure["cumulative"] else "0",
                }
            )
        super().__init__(*args, course=course, key=key, **kwargs)
        if failure is not None:
            self.fields["justification"].label = _("Justification to accept %(o)s %(m)s") % {
                "o": failure["organ"],
                "m": failure["metric"],
            }

    def clean_cumulative(self) -> bool:
        return bool(self.cleaned_data["cumulative"] == "1")

    def form_key(self) -> str:
        """The plan and the failing constraint (one form per failure stands on the page)."""
        d = self.data if self.is_bound else self.initial
        cumulative = 1 if str(d.get("cumulative")) == "1" else 0
        return f"{d.get('target', '')}:{d.get('organ', '')}:{d.get('metric', '')}:{cumulative}"


class PsqaForm(TargetForm):
    model: ClassVar[type[Model]] = Plan
    id_stem = "qa"
    ids = {
        "method": "qa-m-{key}",
        "passing_rate_pct": "qa-r-{key}",
        "action_limit_pct": "qa-l-{key}",
    }
    method = forms.CharField(
        label=gettext_lazy("Method"), max_length=120, required=False, initial="gamma 3%/2 mm"
    )
    passing_rate_pct = forms.DecimalField(
        label=gettext_lazy("Passing rate (%)"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    action_limit_pct = forms.DecimalField(
        label=gettext_lazy("Action limit (%)"),
        required=False,
        initial=Decimal(95),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


class ScheduleForm(TargetForm):
    model: ClassVar[type[Model]] = Plan
    id_stem = "sch"
    ids = {"start_date": "sch-{key}"}
    start_date = forms.DateField(
        label=gettext_lazy("First treatment day"), initial=today, widget=DATE
    )


# --- checklists (no default answer: every item is answered on purpose) -------------------------


class ChecklistForm(RtForm):
    """One required answer per active checklist item, and a comment (needed when it fails)."""

    checklist_kind: ClassVar[str] = ChecklistKind.INITIAL
    comment = forms.CharField(
        max_length=TEXT_MAX,
        label=gettext_lazy("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, course: Course, key: object = "", **kwargs: Any) -> None:
        kind = kwargs.pop("checklist_kind", None) or self.checklist_kind
        super().__init__(*args, course=course, key=key, **kwargs)
        self.items = list(ChecklistItem.objects.filter(kind=kind, active=True))
        for item in self.items:
            self.fields[f"item-{item.code}"] = forms.ChoiceField(
                label=_in_language(item.text, item.text_ko),
                choices=self._answers(),
                widget=self._widget(),
            )
            self.fields[f"comment-{item.code}"] = forms.CharField(
                label=_("Comment %(code)s") % {"code": item.code}, max_length=300, required=False
            )

    def field_for(self, name: str) -> str | None:
        # The service names an item "results.<code>"; its answer is the input "item-<code>".
        if name.startswith("results."):
            name = "item-" + name.removeprefix("results.")
        return super().field_for(name)

    def _answers(self) -> list[tuple[str, Any]]:
        return list(ANSWERS)

    def _widget(self) -> forms.Widget:
        return forms.RadioSelect()

    def rows(self) -> Iterator[tuple[ChecklistItem, forms.BoundField, forms.BoundField]]:
        for item in self.items:
            yield item, self[f"item-{item.code}"], self[f"comment-{item.code}"]

    def results(self) -> dict[str, dict[str, str]]:
        return {
            item.code: {
                "result": self.cleaned_data[f"item-{item.code}"],
                "comment": self.cleaned_data[f"comment-{item.code}"],
            }
            for item in self.items
        }


class PhysicsCheckForm(ChecklistForm, TargetForm):
    model: ClassVar[type[Model]] = Plan
    id_stem = "cm"


class ChartCheckForm(ChecklistForm):
    """A weekly or end-of-treatment chart check; its `kind` travels in a hidden input."""

    id_stem = "cc"
    kind = forms.ChoiceField(
        choices=[(ChecklistKind.WEEKLY, "weekly"), (ChecklistKind.END, "end")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, course: Course, key: object = "", **kwargs: Any) -> None:
        data = args[0] if args else kwargs.get("data")
        kind = str((data.get("kind") if data is not None else None) or key)
        kwargs.setdefault("initial", {})["kind"] = kind
        kwargs["checklist_kind"] = kind if kind in ChecklistKind.values else "none"
        super().__init__(*args, course=course, key=kind, **kwargs)

    def form_key(self) -> str:
        return str(self.data.get("kind", "")) if self.is_bound else self.key

    def _answers(self) -> list[tuple[str, Any]]:
        return NO_ANSWER + list(ANSWERS)

    def _widget(self) -> forms.Widget:
        return forms.Select()
