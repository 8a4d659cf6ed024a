"""An adolescent (14 to 18) with their own portal access limits what guardians see: symptom
reports, results, documents. The guardian then no longer sees them, every attempt is refused with
403 and audited, the school letter and appointments stay, and only the adolescent may choose."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict, NotPermitted
from oncocenter.patients.models_record import Guardian
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.portal import epro, services
from oncocenter.portal.models import GuardianSharing
from oncocenter.portal.tests.factories import STRONG, adult_with_account
from oncocenter.portal.tests.test_discharge import _stay
from oncocenter.portal.tests.test_results import _result
from oncocenter.portal.tests.test_services import answers

pytestmark = pytest.mark.django_db

WITHHELD_PAGES = (
    "results/",
    "documents/care-plan.html",
    "documents/care-plan.pdf",
    "documents/followup.html",
    "documents/followup.pdf",
    "documents/cost.html",
    "documents/cost.pdf",
    "documents/record.html",
    "documents/record.pdf",
    "documents/record.json",
)


def _teen_and_guardian(prefix: str):
    today = timezone.localdate()
    staff = UserFactory(roles=["nurse"])
    teen = PatientFactory(birth_date=today.replace(year=today.year - 16) - dt.timedelta(days=5))
    own = services.portal_account_create(by=staff, patient=teen)
    services.portal_activate(
        code=own.code, username=f"{prefix}_teen", password=STRONG, address="10.1.1.1"
    )
    guardian = Guardian.objects.create(
        patient=teen,
        name_ko="최아빠",
        relationship="father",
        birth_date=dt.date(1980, 5, 5),
        is_legal_representative=True,
    )
    issued = services.portal_account_create(by=staff, patient=teen, guardian=guardian)
    services.portal_activate(
        code=issued.code, username=f"{prefix}_dad", password=STRONG, address="10.1.1.1"
    )
    return teen


def test_teen_limits_the_guardian_and_every_attempt_is_refused_and_audited(portal_client):
    teen = _teen_and_guardian("sh1")
    doctor = UserFactory(roles=["medical_oncologist"])
    hb = _result(teen, "718-7", "9.1", "g/dL")
    services.results_release(by=doctor, patient=teen, result_ids=[hb.pk])
    release = services.discharge_summary_release(by=doctor, admission=_stay(teen))
    teen_client, dad = portal_client("sh1_teen"), portal_client("sh1_dad")
    teen_account = services.PortalAccount.objects.get(username="sh1_teen")
    dad_account = services.PortalAccount.objects.get(username="sh1_dad")
    services.pro_submit(
        account=teen_account,
        patient=teen,
        instrument_code=epro.ADULT.code,
        answers=answers(),
    )
    services.pro_submit(
        account=dad_account, patient=teen, instrument_code=epro.PROXY.code, answers=answers()
    )
    base = f"/portal/p/{teen.pk}/"
    pages = (*WITHHELD_PAGES, f"discharge/{release.pk}.html", f"discharge/{release.pk}.pdf")
    for page in pages:  # before: the guardian sees everything
        assert dad.get(base + page).status_code == 200, page

    # The guardian may not choose; the teen does.
    assert dad.get(base + "sharing/").status_code == 403
    assert dad.post(base + "sharing/", {}).status_code == 403
    assert not GuardianSharing.objects.exists()
    assert teen_client.get(base + "sharing/").status_code == 200
    assert teen_client.post(base + "sharing/", {}).status_code == 302  # nothing ticked
    row = GuardianSharing.objects.get(patient=teen)
    assert not (row.share_symptom_reports or row.share_results or row.share_documents)
    change = AuditEvent.objects.get(object_type="portal.guardiansharing")
    assert change.actor_username == "portal:sh1_teen"
    assert change.detail["old"]["results"] is True and change.detail["new"]["results"] is False

    before = AuditEvent.objects.filter(object_type="portal.withheld").count()
    for page in pages:
        assert dad.get(base + page).status_code == 403, page
    withheld = AuditEvent.objects.filter(
        object_type="portal.withheld", actor_username="portal:sh1_dad"
    )
    assert withheld.count() - before == len(pages)
    assert all(e.detail.get("denied") for e in withheld)
    overview = dad.get(base).content.decode()
    assert "/results/" not in overview and f"discharge/{release.pk}" not in overview
    assert "공유하지 않았습니다" in overview
    assert epro.PROXY.code in overview and f"{epro.ADULT.code}<" not in overview
    overview_event = AuditEvent.objects.filter(
        object_type="portal.overview", actor_username="portal:sh1_dad"
    ).last()
    assert overview_event.detail["withheld"] == ["documents", "results", "symptom_reports"]
    # What stays: appointments (overview), the school letter, the questionnaire.
    assert dad.get(base + "documents/school.pdf").status_code == 200
    assert dad.get(base + "symptoms/").status_code == 200
    # The teen still sees all of it.
    for page in pages:
        assert teen_client.get(base + page).status_code == 200, page

    # Sharing results again opens only the results.
    teen_client.post(base + "sharing/", {"results": "on"})
    assert dad.get(base + "results/").status_code == 200
    assert dad.get(base + "documents/care-plan.html").status_code == 403


def test_only_an_adolescent_with_own_access_chooses():
    teen = _teen_and_guardian("sh2")
    dad = services.PortalAccount.objects.get(username="sh2_dad")
    with pytest.raises(NotPermitted):
        services.guardian_sharing_set(
            account=dad,
            patient=teen,
            share_symptom_reports=False,
            share_results=False,
            share_documents=False,
        )
    adult = adult_with_account("sh2_adult")
    with pytest.raises(Conflict) as exc:
        services.guardian_sharing_set(
            account=adult.account,
            patient=adult.patient,
            share_symptom_reports=False,
            share_results=True,
            share_documents=True,
        )
    assert exc.value.rule == "not_adolescent"
    other = _teen_and_guardian("sh3")
    teen_account = services.PortalAccount.objects.get(username="sh2_teen")
    with pytest.raises(NotPermitted):  # another adolescent's record
        services.guardian_sharing_set(
            account=teen_account,
            patient=other,
            share_symptom_reports=False,
            share_results=False,
            share_documents=False,
        )
    assert not GuardianSharing.objects.exists()


def test_adult_gets_no_sharing_page(portal_client):
    adult = adult_with_account("sh4")
    client = portal_client("sh4")
    assert client.get(f"/portal/p/{adult.patient.pk}/sharing/").status_code == 403
    assert client.post(f"/portal/p/{adult.patient.pk}/sharing/", {}).status_code == 409
