"""Answer -> alert on the nurse's worklist, and the nurse's e-mail delivered by the job worker
(running in the background, as in the demo) to a local SMTP server, each measured and required
under a minute."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from oncocenter.jobs.worker import start_in_process
from oncocenter.notifications.models import OutboxMessage
from oncocenter.notifications.tests.test_delivery import smtp  # noqa: F401 (fixture)
from oncocenter.portal import epro
from oncocenter.portal.models import SymptomAlert
from oncocenter.portal.tests.factories import STRONG, care_nurse, guardian_with_account

LATENCY: dict[str, float] = {}


@pytest.mark.django_db(transaction=True)
def test_severe_answer_reaches_the_nurse_within_a_minute(smtp):  # noqa: F811
    portal = guardian_with_account("latency_mom")
    nurse = care_nurse(portal.patient)
    family = Client()
    assert (
        family.post("/portal/sign-in/", {"username": "latency_mom", "password": STRONG}).status_code
        == 302
    )
    staff = Client()
    staff.force_login(nurse)

    form = {epro.answer_key(i.code, a): "1" for i in epro.ITEMS for a in i.attributes}
    form["mucositis.severity"] = "4"
    form["mucositis.interference"] = "3"
    stop = start_in_process(interval=0.2)  # the job worker runs while the family answers
    try:
        started = time.monotonic()
        assert family.post(f"/portal/p/{portal.patient.pk}/symptoms/", form).status_code == 302
        deadline = started + 60
        while True:
            worklist = staff.get("/portal/staff/alerts/").content.decode()
            alert = SymptomAlert.objects.filter(patient=portal.patient).first()
            if alert is not None and f"/portal/staff/alerts/{alert.pk}/" in worklist:
                break
            assert time.monotonic() < deadline, "no alert on the worklist within a minute"
            time.sleep(0.1)
        LATENCY["worklist"] = time.monotonic() - started
        while not smtp.messages:
            assert time.monotonic() < deadline, "no e-mail to the nurse within a minute"
            time.sleep(0.1)
        LATENCY["email"] = time.monotonic() - started
    finally:
        stop.set()
    assert "구내염" in alert.summary
    message = OutboxMessage.objects.get(recipient_user=nurse)
    assert message.status == "sent" and message.language == "ko"
    (mail,) = smtp.messages
    assert mail["To"] == nurse.email and portal.patient.mrn in mail["Subject"]
    assert "증상 알림" in mail["Subject"]
    assert LATENCY["worklist"] < 60 and LATENCY["email"] < 60
    print(
        f"alert latency: worklist {LATENCY['worklist']:.3f}s, nurse e-mail {LATENCY['email']:.3f}s"
    )
