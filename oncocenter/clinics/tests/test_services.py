import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.clinics import services as s
from oncocenter.clinics.models import (
    Admission,
    Appointment,
    ClinicSession,
    PriorityPolicy,
    WaitlistEntry,
)
from oncocenter.clinics.selectors import bed_waitlist_ranked, waitlist_ranked, ward_occupancy
from oncocenter.clinics.tests.factories import make_session, make_ward, next_open_day
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.patients.models import Center
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _set_prior(monkeypatch, patients):
    ids = {p.pk for p in patients}
    from oncocenter.clinics import selectors

    monkeypatch.setattr(
        selectors, "patient_previously_treated", lambda patient, on=None: patient.pk in ids
    )
    monkeypatch.setattr(
        selectors, "previously_treated_ids", lambda pids, on=None: {i for i in pids if i in ids}
    )


def test_generate_sessions_closes_korean_holidays(make_user):
    from oncocenter.clinics.models import ClinicTemplate

    doc = make_user("surgeon")
    tpl = s.clinic_template_create(
        by=UserFactory(),
        physician=doc,
        center=Center.objects.get(code="esophageal"),
        name="Fri clinic",
        weekday=4,
        start_time=dt.time(9),
        end_time=dt.time(10),
        slot_minutes=20,
        appointment_types=["follow-up"],
    )
    sessions = s.clinic_sessions_generate(
        by=UserFactory(), template=tpl, start=dt.date(2026, 9, 21), end=dt.date(2026, 10, 10)
    )
    by_date = {x.date: x for x in sessions}
    assert by_date[dt.date(2026, 9, 25)].status == "closed"
    assert by_date[dt.date(2026, 9, 25)].closed_reason == "Chuseok"
    assert by_date[dt.date(2026, 10, 2)].status == "open"
    assert by_date[dt.date(2026, 10, 2)].slots.count() == 3
    assert by_date[dt.date(2026, 9, 25)].slots.count() == 0
    # idempotent
    assert (
        s.clinic_sessions_generate(
            by=UserFactory(), template=tpl, start=dt.date(2026, 9, 21), end=dt.date(2026, 10, 10)
        )
        == []
    )
    assert ClinicTemplate.objects.count() == 1


def test_template_bad_input_names_fields(make_user):
    with pytest.raises(ValidationFailed) as exc:
        s.clinic_template_create(
            by=UserFactory(),
            physician=make_user("surgeon"),
            center=Center.objects.get(code="esophageal"),
            name="",
            weekday=9,
            start_time=dt.time(10),
            end_time=dt.time(9),
            slot_minutes=0,
            appointment_types=["party"],
        )
    fields = {p.field for p in exc.value.problems}
    assert fields == {"name", "weekday", "end_time", "slot_minutes", "appointment_types"}


def test_book_and_audit():
    session = make_session()
    patient = PatientFactory()
    slot = session.slots.first()
    appt = s.appointment_book(
        by=UserFactory(), slot=slot, patient=patient, appointment_type="follow-up"
    )
    assert appt.status == "booked" and appt.starts_at == slot.starts_at
    assert AuditEvent.objects.filter(
        object_type="clinics.appointment", patient_mrn=patient.mrn, action="create"
    ).exists()


def test_no_double_booking_of_slot_or_patient():
    session = make_session()
    a, b = PatientFactory(), PatientFactory()
    slot = session.slots.first()
    s.appointment_book(by=UserFactory(), slot=slot, patient=a, appointment_type="follow-up")
    with pytest.raises(Conflict) as exc:
        s.appointment_book(by=UserFactory(), slot=slot, patient=b, appointment_type="follow-up")
    assert exc.value.rule == "slot_taken"
    other = make_session(day=session.date)  # another physician, same time
    with pytest.raises(Conflict) as exc:
        s.appointment_book(
            by=UserFactory(), slot=other.slots.first(), patient=a, appointment_type="follow-up"
        )
    assert exc.value.rule == "patient_double_booked"
    assert exc.value.problems[0].field == "patient"
    assert Appointment.objects.count() == 1


def test_closed_day_past_slot_and_wrong_type_rejected():
    session = make_session(types=("follow-up",))
    patient = PatientFactory()
    slot = session.slots.first()
    with pytest.raises(ValidationFailed) as exc:
        s.appointment_book(by=UserFactory(), slot=slot, patient=patient, appointment_type="new")
    assert exc.value.problems[0].field == "appointment_type"
    ClinicSession.objects.filter(pk=session.pk).update(status="closed", closed_reason="Chuseok")
    with pytest.raises(ValidationFailed) as exc:
        s.appointment_book(
            by=UserFactory(), slot=slot, patient=patient, appointment_type="follow-up"
        )
    assert exc.value.problems[0].field == "slot" and "closed" in exc.value.problems[0].message
    past = make_session(day=timezone.localdate() - dt.timedelta(days=7))
    past.status = "open"
    past.save()
    with pytest.raises(ValidationFailed) as exc:
        s.appointment_book(
            by=UserFactory(), slot=past.slots.first(), patient=patient, appointment_type="follow-up"
        )
    assert "past" in exc.value.problems[0].message
    assert Appointment.objects.count() == 0


def test_full_session_and_reserved_share(monkeypatch):
    session = make_session(slots=4, day=next_open_day(10))  # 30 % of 4 -> 1 reserved slot
    prior = PatientFactory()
    others = [PatientFactory() for _ in range(4)]
    _set_prior(monkeypatch, [prior])
    slots = list(session.slots.order_by("starts_at"))
    for slot, p in zip(slots[:3], others[:3], strict=True):
        s.appointment_book(by=UserFactory(), slot=slot, patient=p, appointment_type="follow-up")
    with pytest.raises(Conflict) as exc:
        s.appointment_book(
            by=UserFactory(), slot=slots[3], patient=others[3], appointment_type="follow-up"
        )
    assert exc.value.rule == "reserved_for_prior"
    assert "held for previously treated" in exc.value.message
    appt = s.appointment_book(
        by=UserFactory(), slot=slots[3], patient=prior, appointment_type="follow-up"
    )
    assert appt.previously_treated
    extra = PatientFactory()
    with pytest.raises(Conflict) as exc:
        s.appointment_book(
            by=UserFactory(), slot=slots[3], patient=extra, appointment_type="follow-up"
        )
    assert exc.value.rule == "session_full"
    assert "full (4 slots booked)" in exc.value.problems[0].message


def test_reserved_share_released_near_date(monkeypatch):
    session = make_session(slots=4, day=next_open_day(10))
    PriorityPolicy.objects.filter(id=1).update(release_days_before=60)
    slots = list(session.slots.order_by("starts_at"))
    for slot in slots:
        s.appointment_book(
            by=UserFactory(), slot=slot, patient=PatientFactory(), appointment_type="follow-up"
        )
    assert Appointment.objects.count() == 4


def test_cancel_offers_slot_to_best_ranked_and_accept_books(monkeypatch):
    session = make_session(slots=2)
    booked, prior, newer = PatientFactory(), PatientFactory(), PatientFactory()
    _set_prior(monkeypatch, [prior])
    center = Center.objects.get(code="esophageal")
    today = timezone.localdate()
    e_new = s.waitlist_add(
        by=UserFactory(),
        patient=newer,
        center=center,
        appointment_type="follow-up",
        urgency="soon",
        requested_on=today - dt.timedelta(days=20),
    )
    e_prior = s.waitlist_add(
        by=UserFactory(),
        patient=prior,
        center=center,
        appointment_type="follow-up",
        urgency="routine",
        requested_on=today - dt.timedelta(days=2),
    )
    ranked = waitlist_ranked(center=center)
    assert [r.entry.pk for r in ranked] == [e_prior.pk, e_new.pk]
    assert any("Previously treated" in r.text for r in ranked[0].score.reasons)
    appt = s.appointment_book(
        by=UserFactory(), slot=session.slots.first(), patient=booked, appointment_type="follow-up"
    )
    s.appointment_cancel(by=UserFactory(), appointment=appt, reason="patient called")
    e_prior.refresh_from_db()
    assert e_prior.status == "offered" and e_prior.offered_slot_id == appt.slot_id
    # decline -> offered to the next
    s.waitlist_decline_offer(by=UserFactory(), entry=e_prior)
    e_new.refresh_from_db()
    e_prior.refresh_from_db()
    assert e_new.status == "offered" and e_prior.status == "waiting"
    new_appt = s.waitlist_accept_offer(by=UserFactory(), entry=e_new)
    assert new_appt.patient == newer and new_appt.slot_id == appt.slot_id
    assert WaitlistEntry.objects.get(pk=e_new.pk).status == "booked"


def test_cancel_requires_reason_and_reschedule_moves():
    session = make_session(slots=3)
    patient = PatientFactory()
    slots = list(session.slots.order_by("starts_at"))
    appt = s.appointment_book(
        by=UserFactory(), slot=slots[0], patient=patient, appointment_type="follow-up"
    )
    with pytest.raises(ValidationFailed) as exc:
        s.appointment_cancel(by=UserFactory(), appointment=appt, reason=" ")
    assert exc.value.problems[0].field == "reason"
    new = s.appointment_reschedule(by=UserFactory(), appointment=appt, new_slot=slots[1])
    appt.refresh_from_db()
    assert appt.status == "rescheduled" and appt.rescheduled_to == new
    # the old slot is free again
    s.appointment_book(
        by=UserFactory(), slot=slots[0], patient=PatientFactory(), appointment_type="follow-up"
    )


def test_check_in_only_on_the_day_and_no_show_only_after():
    session = make_session()
    appt = s.appointment_book(
        by=UserFactory(),
        slot=session.slots.first(),
        patient=PatientFactory(),
        appointment_type="follow-up",
    )
    with pytest.raises(ValidationFailed):
        s.appointment_check_in(by=UserFactory(), appointment=appt)
    with pytest.raises(ValidationFailed):
        s.appointment_mark_no_show(by=UserFactory(), appointment=appt)
    ClinicSession.objects.filter(pk=session.pk).update(date=timezone.localdate())
    appt.refresh_from_db()
    assert s.appointment_check_in(by=UserFactory(), appointment=appt).status == "checked-in"


def test_policy_update_validates_and_audits(make_user):
    admin = make_user("administrator")
    with pytest.raises(ValidationFailed) as exc:
        s.policy_update(reserved_share_percent=150, prior_treatment_points=-1, by=admin)
    assert {p.field for p in exc.value.problems} == {
        "reserved_share_percent",
        "prior_treatment_points",
    }
    s.policy_update(prior_treatment_points=80, by=admin)
    assert PriorityPolicy.objects.get(id=1).params().prior_treatment_points == 80
    assert AuditEvent.objects.filter(object_type="clinics.prioritypolicy", action="update").exists()


# --- admissions ----------------------------------------------------------------------------


def test_admit_transfer_discharge():
    ward = make_ward(beds=2)
    p = PatientFactory()
    now = timezone.now()
    adm = s.admission_admit(
        by=UserFactory(), patient=p, ward=ward, admitted_at=now - dt.timedelta(days=2)
    )
    assert adm.bed.code == "01"
    other_bed = ward.beds.get(code="02")
    s.admission_transfer(by=UserFactory(), admission=adm, to_bed=other_bed)
    adm.refresh_from_db()
    assert adm.bed == other_bed and adm.moves.count() == 1
    with pytest.raises(ValidationFailed) as exc:
        s.admission_discharge(
            by=UserFactory(), admission=adm, discharged_at=now - dt.timedelta(days=3)
        )
    assert exc.value.problems[0].field == "discharged_at"
    adm.refresh_from_db()
    assert adm.status == "admitted"
    s.admission_discharge(by=UserFactory(), admission=adm, discharged_at=now)
    adm.refresh_from_db()
    assert adm.status == "discharged"


def test_ward_never_over_capacity_and_one_admission_per_patient():
    ward = make_ward(beds=2)
    now = timezone.now()
    a, b, c = PatientFactory(), PatientFactory(), PatientFactory()
    s.admission_admit(by=UserFactory(), patient=a, ward=ward, admitted_at=now)
    with pytest.raises(Conflict) as exc:
        s.admission_admit(by=UserFactory(), patient=a, ward=ward, admitted_at=now)
    assert exc.value.rule == "already_admitted"
    s.admission_admit(by=UserFactory(), patient=b, ward=ward, admitted_at=now)
    with pytest.raises(Conflict) as exc:
        s.admission_admit(by=UserFactory(), patient=c, ward=ward, admitted_at=now)
    assert exc.value.rule == "ward_full"
    occ = ward_occupancy()[0]
    assert occ.occupied == 2 and occ.free == 0
    assert Admission.objects.filter(status="admitted").count() == 2


def test_bed_waitlist_ranked_by_policy_and_admit_from_request(monkeypatch):
    ward = make_ward(beds=1)
    prior, fresh = PatientFactory(), PatientFactory()
    _set_prior(monkeypatch, [prior])
    today = timezone.localdate()
    r_fresh = s.readmission_request_create(
        by=UserFactory(),
        patient=fresh,
        ward=ward,
        reason="fever",
        urgency="soon",
        requested_on=today - dt.timedelta(days=3),
    )
    r_prior = s.readmission_request_create(
        by=UserFactory(),
        patient=prior,
        ward=ward,
        reason="stricture dilation",
        requested_on=today - dt.timedelta(days=1),
    )
    ranked = bed_waitlist_ranked(ward=ward)
    assert [r.entry.pk for r in ranked] == [r_prior.pk, r_fresh.pk]
    assert ranked[0].score.total == 50 + 0 + 0.5
    adm = s.admission_admit(
        by=UserFactory(), patient=prior, ward=ward, admitted_at=timezone.now(), request=r_prior
    )
    r_prior.refresh_from_db()
    assert r_prior.status == "admitted" and adm.readmission_request == r_prior
    with pytest.raises(Conflict):
        s.readmission_request_create(by=UserFactory(), patient=fresh, ward=ward, reason="again")


def test_admission_bad_input():
    ward = make_ward(beds=1)
    other = make_ward(beds=1, code="W6")
    p = PatientFactory()
    with pytest.raises(ValidationFailed) as exc:
        s.admission_admit(
            by=UserFactory(),
            patient=p,
            ward=ward,
            admitted_at=timezone.now() + dt.timedelta(days=1),
        )
    assert exc.value.problems[0].field == "admitted_at"
    with pytest.raises(ValidationFailed) as exc:
        s.admission_admit(
            by=UserFactory(),
            patient=p,
            ward=ward,
            admitted_at=timezone.now(),
            bed=other.beds.first(),
        )
    assert exc.value.problems[0].field == "bed"
    assert Admission.objects.count() == 0


def test_previously_treated_comes_from_treatment_episodes():
    from oncocenter.oncology.tests.factories import TreatmentEpisodeFactory

    today = timezone.localdate()
    here = TreatmentEpisodeFactory(
        modality="surgery",
        started_on=today - dt.timedelta(days=300),
        ended_on=today - dt.timedelta(days=290),
        at_this_center=True,
    )
    elsewhere = TreatmentEpisodeFactory(
        modality="surgery",
        started_on=today - dt.timedelta(days=300),
        ended_on=today - dt.timedelta(days=290),
        at_this_center=False,
    )
    ongoing = TreatmentEpisodeFactory(
        modality="chemotherapy",
        started_on=today - dt.timedelta(days=10),
        ended_on=None,
        at_this_center=True,
    )
    assert s.patient_previously_treated(here.patient)
    assert not s.patient_previously_treated(elsewhere.patient)
    assert not s.patient_previously_treated(ongoing.patient)
    from oncocenter.clinics.selectors import previously_treated_ids

    pids = [here.patient_id, elsewhere.patient_id, ongoing.patient_id]
    assert previously_treated_ids(pids) == {here.patient_id}


def test_offer_respects_reserved_share(monkeypatch):
    session = make_session(slots=4, day=next_open_day(10))  # 1 slot reserved
    prior, fresh = PatientFactory(), PatientFactory()
    _set_prior(monkeypatch, [prior])
    center = Center.objects.get(code="esophageal")
    today = timezone.localdate()
    e_fresh = s.waitlist_add(
        by=UserFactory(),
        patient=fresh,
        center=center,
        appointment_type="follow-up",
        urgency="urgent",
        requested_on=today - dt.timedelta(days=60),
    )
    e_prior = s.waitlist_add(
        by=UserFactory(), patient=prior, center=center, appointment_type="follow-up"
    )
    slots = list(session.slots.order_by("starts_at"))
    appts = [
        s.appointment_book(
            by=UserFactory(), slot=sl, patient=PatientFactory(), appointment_type="follow-up"
        )
        for sl in slots[:3]
    ]
    # the fresh patient ranks first (40 + 30 > 50 + 0) but the one free slot is held for prior
    entry = s.waitlist_offer_slot(slot=slots[3])
    assert entry is not None and entry.pk == e_prior.pk
    assert WaitlistEntry.objects.get(pk=e_fresh.pk).status == "waiting"
    # once two slots are free, one is open to everyone: the best-ranked takes the freed one
    s.appointment_cancel(by=UserFactory(), appointment=appts[0], reason="moved")
    assert WaitlistEntry.objects.get(pk=e_fresh.pk).status == "offered"


def test_failed_reschedule_keeps_the_original_booking():
    session = make_session(slots=2)
    a, b = PatientFactory(), PatientFactory()
    slots = list(session.slots.order_by("starts_at"))
    appt = s.appointment_book(
        by=UserFactory(), slot=slots[0], patient=a, appointment_type="follow-up"
    )
    s.appointment_book(by=UserFactory(), slot=slots[1], patient=b, appointment_type="follow-up")
    with pytest.raises(Conflict):
        s.appointment_reschedule(by=UserFactory(), appointment=appt, new_slot=slots[1])
    appt.refresh_from_db()
    assert appt.status == "booked" and appt.rescheduled_to is None
