"""Forms of the portal (patients and guardians) and of its staff pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DomainForm
from oncocenter.core.limits import PASSWORD_MAX
from oncocenter.portal import epro
from oncocenter.portal.models import AlertOutcome


class ActivateForm(DomainForm):
    code = forms.CharField(
        label=_("Activation code"),
        max_length=20,
        help_text=_("The code from the desk, e.g. ABCDE-23456."),
    )
    username = forms.CharField(
        label=_("Sign-in name"), max_length=60, help_text=_("Letters, digits, dots, underscores.")
    )
    password = forms.CharField(
        max_length=PASSWORD_MAX,
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters with letters and digits."),
    )
    password2 = forms.CharField(
        max_length=PASSWORD_MAX,
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    email = forms.EmailField(label=_("E-mail for reminders"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class SignInForm(DomainForm):
    username = forms.CharField(
        label=_("Sign-in name"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        max_length=PASSWORD_MAX,
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ChangeRequestForm(DomainForm):
    appointment_key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    reason = forms.CharField(label=_("Why"), max_length=300)
    preferred = forms.CharField(label=_("Preferred days or times"), max_length=200, required=False)


def _choices(attribute: str, language: str) -> list[tuple[str, str]]:
    lang = language if language in ("en", "ko") else "en"
    return [(str(i), label) for i, label in enumerate(epro.SCALES[attribute][lang])]


class SymptomForm(forms.Form):
    """One radio group per item attribute; the follow-up attributes are hidden by
    portal/static/portal/portal.js when the first answer is 0, and refused by the service if
    answered anyway."""

    def __init__(self, *args: Any, instrument: epro.Instrument, language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        lang = language if language in ("en", "ko") else "en"
        for item in instrument.items:
            text = (item.proxy_text if instrument.proxy else item.text)[lang]
            for n, attr in enumerate(item.attributes):
                label = text if n == 0 else epro.ATTRIBUTE_NAMES[attr][lang].capitalize()
                self.fields[epro.answer_key(item.code, attr)] = forms.TypedChoiceField(
                    label=label,
                    choices=_choices(attr, lang),
                    coerce=int,
                    required=False,
                    empty_value=None,
                    widget=forms.RadioSelect(
                        attrs={
                            "data-item": item.code,
                            "data-gate": "1" if n == 0 else "0",
                        }
                    ),
                )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (item.code, [self[epro.answer_key(item.code, a)] for a in item.attributes])
            for item in self.instrument.items
        ]

    def answers(self) -> dict[str, int | None]:
        return {k: v for k, v in self.cleaned_data.items()}


class QoLForm(forms.Form):
    def __init__(self, *args: Any, definition: dict[str, Any], language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        lang = language if language in ("en", "ko") else "en"
        scale = definition["scale"]
        labels = scale["labels"][lang]
        choices = [(str(v), labels[i]) for i, v in enumerate(range(scale["min"], scale["max"] + 1))]
        for item in definition["items"]:
            self.fields[item["code"]] = forms.TypedChoiceField(
                label=item["text"][lang],
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, int | None]:
        return {k: v for k, v in self.cleaned_data.items()}


class IssueCodeForm(DomainForm):
    holder = forms.ChoiceField(label=_("For"))
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("ko", "한국어"), ("en", "English")], initial="ko"
    )


class AlertCloseForm(DomainForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "---"), *AlertOutcome.choices])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
