"""The base of the course-page forms (ids per target, the row a step acts on) and their
choice fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.db.models import Model
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.core.errors import NotFound
from oncocenter.core.forms import DomainForm
from oncocenter.machines.models import Machine
from oncocenter.oncology.models import Diagnosis
from oncocenter.radiotherapy.models import (
    Course,
    Delivery,
    Fraction,
    ImageReview,
    Plan,
    Prescription,
)

ANSWERS = [
    ("pass", gettext_lazy("pass")),
    ("fail", gettext_lazy("fail")),
    ("na", gettext_lazy("n/a")),
]
NO_ANSWER = [("", "—")]


class MachineField(forms.ChoiceField):
    """A machine by its code, chosen from the machines the page read once (several forms of the
    course page offer machines; each would otherwise read them again). `describe` adds what it
    can deliver and whether it is in service; `kinds` keeps only machines of those kinds."""

    def __init__(self, *, describe: bool = False, kinds: tuple[str, ...] = (), **kwargs: Any):
        super().__init__(choices=(), **kwargs)
        self.describe, self.kinds = describe, kinds
        self.machines: dict[str, Machine] = {}

    def offer(self, machines: Iterable[Machine]) -> None:
        rows = [m for m in machines if not self.kinds or m.kind in self.kinds]
        self.machines = {m.code: m for m in rows}
        self.choices = [(m.code, self._label(m)) for m in rows]

    def _label(self, machine: Machine) -> str:
        if not self.describe:
            return machine.code
        label = f"{machine.code} ({', '.join(machine.technique_codes())})"
        if not machine.in_service:
            label += " — " + _("out of service")
        return label

    def clean(self, value: Any) -> Machine | None:
        code = super().clean(value)
        return self.machines.get(code) if code else None


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member by username, shown with their name."""

    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, User)
        return f"{obj} ({obj.username})"


class DiagnosisChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, Diagnosis)
        return f"{obj.icd10_code} {obj.icdo3_morphology} ({obj.diagnosed_on:%Y-%m-%d})"


def _in_language(english: str, korean: str) -> str:
    """A reference row's text in the user's language (Korean where the row has it)."""
    return korean if korean and (get_language() or "").startswith("ko") else english


def machines_offered() -> list[Machine]:
    """Every machine with its techniques, read once for the forms of a page."""
    return list(Machine.objects.prefetch_related("techniques").order_by("code"))


class RtForm(DomainForm):
    """A course-page form. `key` names what it acts on (a prescription, plan or session id);
    `ids` gives inputs the ids the page has always used ("{key}" is replaced)."""

    ids: ClassVar[dict[str, str]] = {}
    id_stem: ClassVar[str] = "rt"

    def __init__(
        self,
        *args: Any,
        course: Course,
        key: object = "",
        machines: list[Machine] | None = None,
        **kwargs: Any,
    ) -> None:
        suffix = f"-{key}" if key != "" else ""
        kwargs.setdefault("auto_id", f"{self.id_stem}-%s{suffix}")
        super().__init__(*args, **kwargs)
        self.course = course
        self.key = str(key)
        for name, pattern in self.ids.items():
            if name in self.fields:
                self.fields[name].widget.attrs["id"] = pattern.format(key=key)
        machine_fields = [f for f in self.fields.values() if isinstance(f, MachineField)]
        if machine_fields:
            offered = machines if machines is not None else machines_offered()
            for field in machine_fields:
                field.offer(offered)

    def form_key(self) -> str:
        """What the form acts on, from the posted data (bound) or the key it was built with."""
        return self.key


class TargetForm(RtForm):
    """A step that acts on one row of the course, named by the hidden `target` input."""

    model: ClassVar[type[Model]] = Prescription
    target = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, course: Course, key: object = "", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        if key != "":
            kwargs["initial"].setdefault("target", key)
        super().__init__(*args, course=course, key=key, **kwargs)

    def form_key(self) -> str:
        return str(self.data.get("target", "")) if self.is_bound else self.key

    def clean_target(self) -> Model:
        pk = self.cleaned_data["target"]
        obj = self.model._default_manager.filter(pk=pk).first()
        if obj is None or _course_id(obj) != self.course.pk:
            raise NotFound(_("This record is not part of the course."))
        return obj


def _course_id(obj: Model) -> int:
    if isinstance(obj, Prescription):
        return obj.course_id
    if isinstance(obj, Plan | Fraction):
        return obj.prescription.course_id
    if isinstance(obj, Delivery):
        return obj.fraction.prescription.course_id
    if isinstance(obj, ImageReview):
        return obj.delivery.fraction.prescription.course_id
    raise TypeError(type(obj).__name__)
