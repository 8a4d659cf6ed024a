"""Own results released by the team: the physician's release (all or none, audited, once), the
portal showing only released current results with the reference range and flag, guardians
seeing their child's only, and the staff page by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict, NotPermitted, ValidationFailed
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.labs.models import LabResult
from oncocenter.labs.services import lab_result_record
from oncocenter.patients.models import Patient
from oncocenter.portal import services
from oncocenter.portal.models import ResultRelease
from oncocenter.portal.tests.factories import adult_with_account, guardian_with_account

pytestmark = pytest.mark.django_db


def _result(patient: Patient, loinc: str, value: str, unit: str, **kw) -> LabResult:
    at = timezone.now() - dt.timedelta(hours=3)
    return lab_result_record(
        patient=patient,
        by=UserFactory(roles=["nurse"]),
        loinc=loinc,
        value=value,
        unit=unit,
        collected_at=at,
        resulted_at=at + dt.timedelta(hours=1),
        **kw,
    ).result


def _doctor():
    return UserFactory(roles=["medical_oncologist"])


def test_release_is_all_or_none_audited_and_once():
    portal = adult_with_account("res1")
    other = adult_with_account("res2").patient
    hb = _result(portal.patient, "718-7", "9.1", "g/dL", ref_low="12", ref_high="16")
    plt = _result(portal.patient, "777-3", "210", "10*9/L")
    foreign = _result(other, "718-7", "13.0", "g/dL")
    doctor = _doctor()

    with pytest.raises(NotPermitted):
        services.results_release(
            by=UserFactory(roles=["nurse"]), patient=portal.patient, result_ids=[hb.pk]
        )
    with pytest.raises(ValidationFailed) as exc:
        services.results_release(by=doctor, patient=portal.patient, result_ids=[])
    assert exc.value.problems[0].field == "results"
    with pytest.raises(ValidationFailed):  # another patient's result: nothing released
        services.results_release(by=doctor, patient=portal.patient, result_ids=[hb.pk, foreign.pk])
    assert not ResultRelease.objects.exists()

    done = services.results_release(
        by=doctor, patient=portal.patient, result_ids=[hb.pk, plt.pk], note="Talked on Monday."
    )
    assert {r.result_id for r in done} == {hb.pk, plt.pk}
    event = AuditEvent.objects.get(object_type="portal.result_release", action="create")
    assert event.detail["results"] == sorted([hb.pk, plt.pk]) and event.actor_id == doctor.pk
    with pytest.raises(Conflict):
        services.results_release(by=doctor, patient=portal.patient, result_ids=[hb.pk])
    assert ResultRelease.objects.count() == 2


def test_portal_shows_only_released_current_results_with_range_and_flag(portal_client):
    portal = adult_with_account("res3")
    hb = _result(
        portal.patient, "718-7", "9.1", "g/dL", ref_low="12", ref_high="16", accession="A-1"
    )
    hidden = _result(portal.patient, "777-3", "88", "10*9/L")
    services.results_release(by=_doctor(), patient=portal.patient, result_ids=[hb.pk])
    client = portal_client("res3")
    page = client.get(f"/portal/p/{portal.patient.pk}/results/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert hb.analyte.name_ko in html and "9.1" in html and "12-16" in html
    assert "낮음" in html  # the "low" flag, in Korean
    assert hidden.analyte.name_ko not in html
    read = AuditEvent.objects.get(actor_username="portal:res3", object_type="portal.results")
    assert read.detail == {"results": [hb.pk]} and read.action == "read"

    # A correction supersedes the released row: the portal hides it until the new one is released.
    corrected = lab_result_record(
        patient=portal.patient,
        by=UserFactory(roles=["nurse"]),
        loinc="718-7",
        value="11.0",
        unit="g/dL",
        collected_at=hb.collected_at,
        resulted_at=hb.resulted_at + dt.timedelta(hours=2),
        ref_low="12",
        ref_high="16",
        accession="A-1",
        correction=True,
    ).result
    html = client.get(f"/portal/p/{portal.patient.pk}/results/").content.decode()
    assert "9.1" not in html and "11.0" not in html
    services.results_release(by=_doctor(), patient=portal.patient, result_ids=[corrected.pk])
    html = client.get(f"/portal/p/{portal.patient.pk}/results/").content.decode()
    assert "11.0" in html


def test_guardian_sees_the_childs_released_results_only(portal_client):
    mine = guardian_with_account("res_mom")
    other = guardian_with_account("res_dad")
    own = _result(mine.patient, "718-7", "10.5", "g/dL", ref_low="11", ref_high="14")
    theirs = _result(other.patient, "718-7", "12.5", "g/dL", ref_low="11", ref_high="14")
    doctor = _doctor()
    services.results_release(by=doctor, patient=mine.patient, result_ids=[own.pk])
    services.results_release(by=doctor, patient=other.patient, result_ids=[theirs.pk])
    client = portal_client("res_mom")
    html = client.get(f"/portal/p/{mine.patient.pk}/results/").content.decode()
    assert "10.5" in html and "12.5" not in html
    assert client.get(f"/portal/p/{other.patient.pk}/results/").status_code == 403


@pytest.mark.parametrize("role", sorted(Role.values))
def test_staff_release_page_by_role(client_as, role):
    portal = adult_with_account(f"res_{role}")
    hb = _result(portal.patient, "718-7", "9.1", "g/dL")
    client = client_as(role)
    url = f"/portal/staff/patients/{portal.patient.pk}/results/"
    allowed = role in roles_with("portal.release_results")
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, {"results": [str(hb.pk)]})
    if allowed:
        assert response.status_code == 302
        assert ResultRelease.objects.filter(result=hb).exists()
        again = client.post(url, {"results": [str(hb.pk)]})
        assert again.status_code == 409
    else:
        assert response.status_code == 403
        assert not ResultRelease.objects.exists()


def test_result_pages_queries_do_not_grow(client_as, portal_client, django_assert_max_num_queries):
    portal = adult_with_account("res_q")
    staff = client_as("medical_oncologist")
    mine = portal_client("res_q")
    url = f"/portal/staff/patients/{portal.patient.pk}/results/"
    portal_url = f"/portal/p/{portal.patient.pk}/results/"
    doctor = _doctor()
    for n in (2, 20):
        ids = [_result(portal.patient, "777-3", str(100 + i), "10*9/L").pk for i in range(n)]
        services.results_release(by=doctor, patient=portal.patient, result_ids=ids[: n // 2])
        with django_assert_max_num_queries(25):
            assert staff.get(url).status_code == 200
        # 13: the audit write numbers its event from the global sequence in a query of its own
        # since the trail is chained per shard (one more than with the single chain head).
        with django_assert_max_num_queries(13):
            page = mine.get(portal_url)
        assert page.content.decode().count('class="card result ') == ResultRelease.objects.count()
