"""Pure-Python rules of aid applications: the status flow, amounts and required documents.

Never imports Django: the services translate ``SupportRuleError`` into typed domain errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from oncocenter.aid import vocab
from oncocenter.pediatrics.rules import SupportRuleError, gettext_noop

AID_STATUSES = (
    "draft",
    "submitted",
    "documents_requested",
    "under_review",
    "granted",
    "rejected",
    "withdrawn",
    "disbursed",
)

AID_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "withdrawn"}),
    "submitted": frozenset({"under_review", "documents_requested", "withdrawn"}),
    "documents_requested": frozenset({"submitted", "withdrawn"}),
    "under_review": frozenset({"granted", "rejected", "documents_requested", "withdrawn"}),
    "granted": frozenset({"disbursed"}),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
    "disbursed": frozenset(),
}

AID_TERMINAL = frozenset(s for s, nxt in AID_TRANSITIONS.items() if not nxt)


def check_aid_transition(current: str, target: str) -> None:
    for status in (current, target):
        if status not in AID_TRANSITIONS:
            raise SupportRuleError(
                "status",
                status,
                gettext_noop("unknown status; one of %(statuses)s"),
                statuses=", ".join(AID_STATUSES),
            )
    if target not in AID_TRANSITIONS[current]:
        if not AID_TRANSITIONS[current]:
            raise SupportRuleError(
                "status",
                target,
                gettext_noop("cannot go from %(current)s to %(target)s; allowed: none (final)"),
                current=current,
                target=target,
            )
        raise SupportRuleError(
            "status",
            target,
            gettext_noop("cannot go from %(current)s to %(target)s; allowed: %(allowed)s"),
            current=current,
            target=target,
            allowed=", ".join(sorted(AID_TRANSITIONS[current])),
        )


def check_aid_amounts(
    *, requested: Decimal | int, granted: Decimal | int | None, note: str | None
) -> None:
    """Amounts in won: positive request; a grant above the request must be explained."""
    if requested is None or requested <= 0:
        raise SupportRuleError(
            "amount_requested", requested, gettext_noop("must be greater than 0")
        )
    if granted is None:
        return
    if granted < 0:
        raise SupportRuleError("amount_granted", granted, gettext_noop("must not be negative"))
    if granted > requested and not (note or "").strip():
        raise SupportRuleError(
            "amount_granted",
            granted,
            gettext_noop(
                "is above the amount requested (%(requested)s); a decision note is required"
            ),
            requested=requested,
        )


def missing_documents(
    provided: Iterable[str], template: Sequence[Mapping[str, Any]] | None = None
) -> list[str]:
    """Codes of the required checklist documents not yet provided."""
    template = template if template is not None else vocab.aid_documents()
    have = set(provided)
    return [d["code"] for d in template if d["required"] and d["code"] not in have]


def check_aid_submission(provided: Iterable[str]) -> None:
    """Submitting to an association needs every required document."""
    missing = missing_documents(provided)
    if missing:
        raise SupportRuleError(
            "documents",
            missing,
            gettext_noop("required documents missing: %(missing)s"),
            missing=", ".join(missing),
        )
