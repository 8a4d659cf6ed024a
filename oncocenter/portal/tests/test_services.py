"""Accounts, one-time codes, passwords, throttling, symptom reports and their alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict, NotPermitted, Throttled, ValidationFailed
from oncocenter.notifications.models import OutboxMessage
from oncocenter.nutrition.models import QoLResponse, Questionnaire
from oncocenter.patients.models_record import Guardian
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.portal import services
from oncocenter.portal.models import ActivationCode, PortalAccount, SymptomAlert
from oncocenter.portal.tests.factories import (
    STRONG,
    adult_with_account,
    care_nurse,
    child,
    guardian_with_account,
)

pytestmark = pytest.mark.django_db


def answers(**overrides: int) -> dict[str, int | None]:
    from oncocenter.portal import epro

    out: dict[str, int | None] = {
        epro.answer_key(i.code, a): 1 for i in epro.ITEMS for a in i.attributes
    }
    out.update({k.replace("__", "."): v for k, v in overrides.items()})
    return out


def test_code_is_stored_as_a_digest_and_works_once(make_user):
    staff = make_user("nurse")
    patient = PatientFactory()
    issued = services.portal_account_create(by=staff, patient=patient)
    raw = issued.code.replace("-", "")
    assert not ActivationCode.objects.filter(digest__contains=raw).exists()
    assert len(issued.code) == 11 and issued.code[5] == "-"
    account = services.portal_activate(
        code=issued.code.lower(), username="Kim.S", password=STRONG, address="1.2.3.4"
    )
    assert account.status == "active" and account.username == "kim.s"
    assert account.password != STRONG
    with pytest.raises(ValidationFailed) as exc:
        services.portal_activate(
            code=issued.code, username="other", password=STRONG, address="1.2.3.4"
        )
    assert exc.value.problems[0].field == "code"


def test_expired_and_reissued_codes_stop_working(make_user):
    staff = make_user("nurse")
    issued = services.portal_account_create(by=staff, patient=PatientFactory())
    ActivationCode.objects.update(
        created_at=timezone.now() - dt.timedelta(days=15),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationFailed):
        services.portal_activate(code=issued.code, username="a1", password=STRONG, address="x")
    first = services.activation_code_reissue(by=staff, account=issued.account)
    latest = services.activation_code_reissue(by=staff, account=issued.account)
    with pytest.raises(ValidationFailed):  # replaced by the latest code
        services.portal_activate(code=first.code, username="a1", password=STRONG, address="x")
    assert services.portal_activate(code=latest.code, username="a1", password=STRONG, address="x")


@pytest.mark.parametrize(
    "password", ["short1", "password123", "onlyletterslong", "1234567890123", "minjun2027x"]
)
def test_weak_passwords_are_refused(make_user, password):
    issued = services.portal_account_create(by=make_user("nurse"), patient=PatientFactory())
    with pytest.raises(ValidationFailed) as exc:
        services.portal_activate(
            code=issued.code, username="minjun2027", password=password, address="x"
        )
    assert {p.field for p in exc.value.problems} == {"password"}
    assert PortalAccount.objects.get().status == "pending"


def test_a_staff_username_cannot_be_taken(make_user):
    staff = make_user("nurse", username="nurse_kim")
    issued = services.portal_account_create(by=staff, patient=PatientFactory())
    with pytest.raises(ValidationFailed) as exc:
        services.portal_activate(
            code=issued.code, username="nurse_kim", password=STRONG, address="x"
        )
    assert exc.value.problems[0].field == "username"


def test_wrong_codes_are_throttled_per_address(make_user):
    issued = services.portal_account_create(by=make_user("nurse"), patient=PatientFactory())
    for _i in range(services.ACTIVATION_MAX_FAILURES):
        with pytest.raises(ValidationFailed):
            services.portal_activate(
                code="AAAAA-AAAAA", username="u1", password=STRONG, address="9.9.9.9"
            )
    with pytest.raises(Throttled):
        services.portal_activate(
            code=issued.code, username="u1", password=STRONG, address="9.9.9.9"
        )
    # Another address is not blocked.
    assert services.portal_activate(
        code=issued.code, username="u1", password=STRONG, address="8.8.8.8"
    )


def test_sign_in_is_throttled_per_account_and_address():
    portal = adult_with_account()
    for _i in range(services.SIGNIN_MAX_FAILURES):
        with pytest.raises(ValidationFailed):
            services.portal_sign_in(username="minjun", password="wrong-one-1", address="5.5.5.5")
    with pytest.raises(Throttled):
        services.portal_sign_in(username="minjun", password=STRONG, address="5.5.5.5")
    assert (
        services.portal_sign_in(username="MINJUN", password=STRONG, address="6.6.6.6")
        == portal.account
    )
    failed = AuditEvent.objects.filter(action="login_failed", actor_username="portal:minjun")
    assert failed.count() == services.SIGNIN_MAX_FAILURES


def test_throttle_window_expires():
    adult_with_account()
    for _i in range(services.SIGNIN_MAX_FAILURES):
        with pytest.raises(ValidationFailed):
            services.portal_sign_in(username="minjun", password="wrong-one-1", address="5.5.5.5")
    from oncocenter.portal.models import Throttle

    Throttle.objects.update(window_start=timezone.now() - services.THROTTLE_WINDOW)
    assert services.portal_sign_in(username="minjun", password=STRONG, address="5.5.5.5")


def test_staff_passwords_never_sign_in_to_the_portal(make_user, password):
    make_user("nurse", username="nurse_lee")
    with pytest.raises(ValidationFailed):
        services.portal_sign_in(username="nurse_lee", password=password, address="x")


def test_guardian_only_for_a_minor_and_a_legal_representative(make_user):
    staff = make_user("nurse")
    adult = PatientFactory()
    g = Guardian.objects.create(
        patient=adult, name_ko="김보호", relationship="mother", birth_date=dt.date(1950, 1, 1)
    )
    with pytest.raises(Conflict):
        services.portal_account_create(by=staff, patient=adult, guardian=g)
    kid = child()
    sib = Guardian.objects.create(
        patient=kid, name_ko="김형", relationship="sibling", is_legal_representative=False
    )
    with pytest.raises(Conflict):
        services.portal_account_create(by=staff, patient=kid, guardian=sib)
    with pytest.raises(Conflict):  # an 8-year-old gets access through a guardian
        services.portal_account_create(by=staff, patient=kid)
    other_child_guardian = Guardian.objects.create(
        patient=adult, name_ko="남", relationship="father", birth_date=dt.date(1950, 1, 1)
    )
    with pytest.raises(ValidationFailed):
        services.portal_account_create(by=staff, patient=kid, guardian=other_child_guardian)


def test_guardian_access_ends_when_the_child_turns_19():
    portal = guardian_with_account()
    assert services.patient_for(portal.account, portal.patient.pk) == portal.patient
    today = timezone.localdate()
    portal.patient.birth_date = today.replace(year=today.year - 19)
    portal.patient.save()
    with pytest.raises(NotPermitted):
        services.patient_for(portal.account, portal.patient.pk)


def test_severe_mucositis_raises_an_alert_for_the_care_team_nurse():
    portal = adult_with_account()
    nurse = care_nurse(portal.patient)
    _submission, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(mucositis__severity=3),
    )
    assert alert is not None and alert.assigned_to == nurse and alert.status == "open"
    assert alert.findings[0]["item"] == "mucositis" and "구내염" in alert.summary
    message = OutboxMessage.objects.get(recipient_user=nurse)
    assert message.category == "staff_alert" and message.status == "queued"
    assert AuditEvent.objects.filter(
        object_type="portal.symptomalert", actor_username="portal:minjun"
    ).exists()


def test_mild_answers_raise_no_alert_and_worsening_does():
    portal = adult_with_account()
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(),
    )
    assert alert is None
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(fatigue__severity=2, fatigue__interference=2, pain__frequency=1),
    )
    assert alert is None  # 1 -> 2 is a rise of one point
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(dysphagia__severity=2, fatigue__severity=2, fatigue__interference=2),
    )
    assert alert is None
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(nausea__frequency=0, nausea__severity=None, esophagitis__severity=1),
    )
    assert alert is None
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(nausea__frequency=2, nausea__severity=2),
    )
    assert alert is not None and {f["rule"] for f in alert.findings} == {"worsening"}
    assert alert.assigned_to is None  # no care-team nurse: every nurse's list


def test_a_guardian_answers_the_proxy_version_only():
    portal = guardian_with_account()
    with pytest.raises(ValidationFailed):
        services.pro_submit(
            account=portal.account,
            patient=portal.patient,
            instrument_code="symptoms-weekly",
            answers=answers(),
        )
    submission, _a = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly-proxy",
        answers=answers(),
    )
    assert submission.by_proxy


def test_a_report_for_another_patient_is_refused():
    a = adult_with_account("aaa1")
    b = adult_with_account("bbb1")
    with pytest.raises(NotPermitted):
        services.pro_submit(
            account=a.account,
            patient=b.patient,
            instrument_code="symptoms-weekly",
            answers=answers(),
        )


def test_eating_questionnaire_feeds_the_quality_of_life_chart():
    portal = adult_with_account()
    q = Questionnaire.objects.get(code="esophageal-qol-example")
    items = [i["code"] for i in q.definition["items"]]
    services.qol_submit(
        account=portal.account,
        patient=portal.patient,
        questionnaire=q,
        answers={c: 2 for c in items},
    )
    response = QoLResponse.objects.get(patient=portal.patient)
    assert response.recorded_by is None and response.scores["eating"] is not None


def test_alert_acknowledged_then_closed_with_an_outcome(make_user):
    portal = adult_with_account()
    nurse = care_nurse(portal.patient)
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(pain__severity=4),
    )
    services.symptom_alert_acknowledge(by=nurse, alert=alert)
    with pytest.raises(Conflict):
        services.symptom_alert_acknowledge(by=nurse, alert=alert)
    with pytest.raises(ValidationFailed):
        services.symptom_alert_close(by=nurse, alert=alert, outcome="")
    closed = services.symptom_alert_close(
        by=nurse, alert=alert, outcome="clinic_visit", note="내일 외래"
    )
    assert closed.status == "closed" and closed.closed_by == nurse
    with pytest.raises(Conflict):
        services.symptom_alert_close(by=nurse, alert=alert, outcome="advice")


def test_database_refuses_a_closed_alert_without_outcome():
    from django.db import IntegrityError, transaction

    portal = adult_with_account()
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(pain__severity=4),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SymptomAlert.objects.filter(pk=alert.pk).update(status="closed")


def test_change_request_once_per_appointment(make_user):
    portal = adult_with_account()
    r = services.change_request_create(
        account=portal.account,
        patient=portal.patient,
        appointment_key="clinic:1",
        appointment_label="x",
        reason="출장",
    )
    with pytest.raises(Conflict):
        services.change_request_create(
            account=portal.account,
            patient=portal.patient,
            appointment_key="clinic:1",
            appointment_label="x",
            reason="again",
        )
    services.change_request_handle(by=make_user("scheduler"), request=r, status="done")
