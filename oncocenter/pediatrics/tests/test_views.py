"""Pages: allow and deny per permission, bad input shown beside the field, nothing saved."""

import pytest
from django.urls import reverse

from oncocenter.aid.models import AidApplication
from oncocenter.audit.models import AuditEvent
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.pediatrics.models import HSCTEpisode
from oncocenter.pediatrics.tests.factories import staff

pytestmark = pytest.mark.django_db


ALL_ROLES = sorted(str(r) for r in Role)


def _pages(w):
    return [
        ("pediatrics:pediatric", [w["mrn"]], "pediatric.view"),
        ("pediatrics:hsct", [], "hsct.view"),
        ("pediatrics:hsct-detail", [w["episode"].pk], "hsct.view"),
        ("school:index", [], "school.view"),
        ("school:enrollment", [w["enrollment"].pk], "school.view"),
        ("aid:index", [], "aid.view"),
        ("aid:detail", [w["application"].pk], "aid.view"),
        ("aid:family", [w["mrn"]], "aid.view"),
        ("shelter:index", [], "shelter.view"),
        ("palliative:index", [], "palliative.view"),
        ("palliative:refer", [], "palliative.refer"),
        ("palliative:detail", [w["referral"].pk], "palliative.view"),
        ("socialwork:index", [], "socialwork.view"),
        ("socialwork:case", [w["case"].pk], "socialwork.view"),
        ("pediatrics:reports", [], "pediatric.reports"),
        ("pediatrics:reports-csv", ["cases-by-iccc"], "pediatric.reports"),
    ]


def test_every_page_allows_its_roles_and_denies_the_others(world, client_as):
    clients = {role: client_as(role) for role in ALL_ROLES}
    for name, args, perm in _pages(world):
        url = reverse(name, args=args)
        allowed = roles_with(perm)
        for role in ALL_ROLES:
            status = clients[role].get(url).status_code
            expected = 200 if role in allowed else 403
            assert status == expected, f"{role} GET {name}: {status}, expected {expected}"


def test_teacher_sees_school_but_not_clinical_or_family_finances(world, client_as):
    c = client_as("hospital_school_teacher")
    assert c.get(reverse("school:enrollment", args=[world["enrollment"].pk])).status_code == 200
    for name, args in [
        ("pediatrics:pediatric", [world["mrn"]]),
        ("pediatrics:hsct-detail", [world["episode"].pk]),
        ("aid:family", [world["mrn"]]),
        ("palliative:detail", [world["referral"].pk]),
        ("socialwork:case", [world["case"].pk]),
    ]:
        assert c.get(reverse(name, args=args)).status_code == 403
    # The patient page shows the teacher only the school link, not the pediatric clinical block.
    body = c.get(reverse("patients:detail", args=[world["mrn"]])).content.decode()
    assert reverse("school:index") in body
    assert reverse("pediatrics:pediatric", args=[world["mrn"]]) not in body
    assert "BSA" not in body


def test_aid_staff_see_aid_and_shelter_not_clinical_record(world, client_as):
    c = client_as("social_worker")
    assert c.get(reverse("aid:family", args=[world["mrn"]])).status_code == 200
    assert c.get(reverse("shelter:index")).status_code == 200
    for name, args in [
        ("pediatrics:pediatric", [world["mrn"]]),
        ("pediatrics:hsct-detail", [world["episode"].pk]),
        ("palliative:detail", [world["referral"].pk]),
    ]:
        assert c.get(reverse(name, args=args)).status_code == 403


def test_pediatric_page_audits_read_and_shows_bsa(world, client_as):
    from oncocenter.pediatrics import services

    services.measurement_record(
        by=staff(),
        patient=world["child"],
        measured_on=world["enrollment"].enrolled_on,
        height=120,
        weight=22,
    )
    c = client_as("pediatric_oncologist")
    body = c.get(reverse("pediatrics:pediatric", args=[world["mrn"]])).content.decode()
    assert "0.86 m²" in body and "2026-01-05" in body
    assert AuditEvent.objects.filter(
        action="read", object_type="support.pediatric", patient_id=world["child"].pk
    ).exists()


def test_post_denied_for_role_without_permission_and_nothing_saved(world, client_as):
    c = client_as("hospital_school_teacher")
    before = HSCTEpisode.objects.count()
    r = c.post(
        reverse("pediatrics:hsct-create", args=[world["mrn"]]),
        {"indication": "x", "donor_type": "autologous", "status": "planned"},
    )
    assert r.status_code == 403 and HSCTEpisode.objects.count() == before
    r = client_as("nurse").post(
        reverse("school:enroll"),
        {"mrn": world["mrn"], "school_class": world["class"].pk, "enrolled_on": "2026-02-01"},
    )
    assert r.status_code == 403


def test_hsct_form_engraftment_before_day0_message_beside_field(world, client_as):
    c = client_as("pediatric_oncologist")
    before = HSCTEpisode.objects.count()
    r = c.post(
        reverse("pediatrics:hsct-create", args=[world["mrn"]]),
        {
            "indication": "AML",
            "donor_type": "related",
            "hla_match": "8/8",
            "day0": "2026-03-10",
            "neutrophil_engraftment_on": "2026-03-01",
            "status": "infused",
        },
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert 'data-field="neutrophil_engraftment_on"' in body and "before day 0" in body
    assert HSCTEpisode.objects.count() == before


def test_forms_happy_paths(world, client_as):
    c = client_as("hospital_school_teacher")
    e = world["enrollment"]
    assert (
        c.post(
            reverse("school:enrollment-attendance", args=[e.pk]),
            {
                "on": "2026-01-07",
                "status": "present",
                "setting": "bedside",
                "during_admission": "on",
                "minutes": 45,
            },
        ).status_code
        == 302
    )
    assert (
        c.post(
            reverse("school:enrollment-plan", args=[e.pk]),
            {"status": "shared", "school_contact": "담임", "planned_return_on": "2026-09-01"},
        ).status_code
        == 302
    )
    sw = client_as(user=world["social_worker"])
    assert (
        sw.post(
            reverse("aid:create"),
            {
                "mrn": world["mrn"],
                "organisation": world["org"].pk,
                "need": "transport",
                "amount_requested": "300000",
            },
        ).status_code
        == 302
    )
    assert AidApplication.objects.count() == 2
    assert (
        sw.post(
            reverse("socialwork:assessment", args=[world["case"].pk]),
            {
                "assessed_on": "2026-01-03",
                **{
                    f"level_{d}": "high"
                    for d in [
                        "financial",
                        "housing",
                        "schooling",
                        "psychological",
                        "caregiving",
                        "transport",
                    ]
                },
            },
        ).status_code
        == 302
    )
    assert (
        sw.post(
            reverse("socialwork:outcome", args=[world["intervention"].pk]),
            {"outcome": "achieved", "completed_on": "2026-02-01"},
        ).status_code
        == 302
    )
    pc = client_as("palliative_care")
    assert (
        pc.post(
            reverse("palliative:update", args=[world["referral"].pk]),
            {"status": "active", "place_of_care": "home", "goals_of_care": "Comfort"},
        ).status_code
        == 302
    )


def test_reports_page_has_svg_and_csv(world, client_as):
    c = client_as("administrator")
    body = c.get(reverse("pediatrics:reports")).content.decode()
    assert body.count("<svg") == 4
    csv_body = c.get(reverse("pediatrics:reports-csv", args=["service-use"])).content.decode(
        "utf-8-sig"
    )
    assert csv_body.splitlines()[0].startswith("year,school_children")
    assert c.get(reverse("pediatrics:reports-csv", args=["nope"])).status_code == 404
    assert AuditEvent.objects.filter(action="export", object_type="support.reports").exists()


def test_home_panels_render_for_support_roles(world, client_as):
    for role in (
        "hospital_school_teacher",
        "social_worker",
        "pediatric_oncologist",
        "palliative_care",
    ):
        assert client_as(role).get("/").status_code == 200


def test_pediatric_page_shows_iccc_group_lansky_and_guardian_minor_rejected(world, client_as):
    from oncocenter.oncology.services import diagnosis_create, performance_record
    from oncocenter.patients.models_record import Guardian

    child = world["child"]
    diagnosis_create(
        patient=child,
        by=staff(),
        icd10_code="C74.9",
        icdo3_topography="C74.9",
        icdo3_morphology="9500/3",
        diagnosed_on="2026-01-02",
    )
    performance_record(
        patient=child, by=staff(), scale="lansky", score=70, observed_on="2026-01-03"
    )
    c = client_as("pediatric_oncologist")
    body = c.get(reverse("pediatrics:pediatric", args=[world["mrn"]])).content.decode()
    assert "IV Neuroblastoma" in body
    assert "70" in body and "less time spent in, play" in body
    r = c.post(
        reverse("pediatrics:pediatric-guardian", args=[world["mrn"]]),
        {
            "name_ko": "한형",
            "relationship": "sibling",
            "birth_date": "2015-01-01",
            "is_legal_representative": "on",
        },
    )
    assert r.status_code == 422 and 'data-field="birth_date"' in r.content.decode()
    assert not Guardian.objects.filter(patient=child).exists()
    r = c.post(
        reverse("pediatrics:pediatric-guardian", args=[world["mrn"]]),
        {
            "name_ko": "한엄마",
            "relationship": "mother",
            "birth_date": "1984-01-01",
            "is_legal_representative": "on",
        },
    )
    assert r.status_code == 302
    assert "한엄마" in c.get(reverse("pediatrics:pediatric", args=[world["mrn"]])).content.decode()


def test_waitlist_withdraw_and_case_close(world, client_as):
    from oncocenter.shelter.models import ShelterWaitlistEntry
    from oncocenter.socialwork.models import SocialCase

    sw = client_as(user=world["social_worker"])
    assert (
        sw.post(reverse("shelter:waitlist-withdraw", args=[world["entry"].pk])).status_code == 302
    )
    assert ShelterWaitlistEntry.objects.get(pk=world["entry"].pk).status == "withdrawn"
    r = sw.post(
        reverse("socialwork:case-close", args=[world["case"].pk]), {"check_out": "2025-01-01"}
    )
    assert r.status_code == 422 and SocialCase.objects.get(pk=world["case"].pk).closed_on is None
    assert (
        sw.post(
            reverse("socialwork:case-close", args=[world["case"].pk]),
            {"check_out": "2026-03-01"},
        ).status_code
        == 302
    )
    assert (
        client_as("hospital_school_teacher")
        .post(reverse("shelter:waitlist-withdraw", args=[world["entry"].pk]))
        .status_code
        == 403
    )


def test_hsct_day_count_htmx_partial(world, client_as):
    c = client_as("nurse")
    url = reverse("pediatrics:hsct-detail", args=[world["episode"].pk])
    r = c.get(url, {"on": "2026-04-09"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body and "day +30" in body
