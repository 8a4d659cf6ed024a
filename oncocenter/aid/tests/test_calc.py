"""Plain tests of the pure-Python rules (no database)."""

from decimal import Decimal

import pytest

from oncocenter.aid import calc
from oncocenter.pediatrics.rules import SupportRuleError


def test_aid_status_flow():
    calc.check_aid_transition("draft", "submitted")
    calc.check_aid_transition("under_review", "granted")
    calc.check_aid_transition("granted", "disbursed")
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_transition("draft", "granted")
    assert e.value.field == "status" and "allowed" in e.value.rule
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_transition("rejected", "submitted")
    assert "final" in e.value.rule
    with pytest.raises(SupportRuleError):
        calc.check_aid_transition("draft", "approved")
    assert {"rejected", "withdrawn", "disbursed"} == calc.AID_TERMINAL


def test_every_status_reachable_from_draft():
    seen, todo = {"draft"}, ["draft"]
    while todo:
        for nxt in calc.AID_TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(calc.AID_STATUSES)


def test_grant_above_request_needs_note():
    calc.check_aid_amounts(requested=Decimal(1000000), granted=Decimal(800000), note="")
    calc.check_aid_amounts(requested=1000000, granted=1200000, note="Board added transport costs")
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_amounts(requested=1000000, granted=1200000, note="  ")
    assert e.value.field == "amount_granted"
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_amounts(requested=0, granted=None, note=None)
    assert e.value.field == "amount_requested"
    with pytest.raises(SupportRuleError):
        calc.check_aid_amounts(requested=10, granted=-1, note=None)


def test_document_checklist():
    required = [d["code"] for d in calc.vocab.aid_documents() if d["required"]]
    assert calc.missing_documents(required) == []
    assert calc.missing_documents([]) == required
    calc.check_aid_submission(required)
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_submission(required[1:])
    assert e.value.field == "documents" and required[0] in e.value.rule
