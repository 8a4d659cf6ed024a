"""RT Structure Set and RT Dose imports for a plan: checked from the header, linked (patient,
frame of reference, RT Plan), stored, DVHs computed and compared with the organ constraints; the
imports (and the RT Plan's) run as jobs. Files are built in `rt_dicom_files` (synthetic)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.jobs.models import Job
from oncocenter.jobs.services import job_execute
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.dicom_dvh import dvh_metric
from oncocenter.radiotherapy.dvh_chart import Curve, dvh_svg
from oncocenter.radiotherapy.models import DicomMachineName, Plan, PlanDicomObject
from oncocenter.radiotherapy.tests import rt_dicom_files as files
from oncocenter.radiotherapy.tests.factories import make_world

pytestmark = pytest.mark.django_db
API = "/api/radiotherapy"


@pytest.fixture
def w():
    return make_world()


imported_plan = files.import_plan


def field_of(exc) -> list[str]:
    return [p.field for p in exc.value.problems]


# --- the service -------------------------------------------------------------------------------------


def test_structure_set_and_dose_are_stored_with_the_plan_and_give_dvhs(w):
    plan = imported_plan(w)
    assert plan.dicom_summary["frame_of_reference_uid"] == files.FRAME
    mrn = w.patient.mrn
    # Without a meta header: read all the same.
    struct, created = s.plan_dicom_import(
        plan=plan, by=w.dosimetrist, content=files.rtstruct_bytes(mrn, meta=False), file_name="s"
    )
    assert created and struct.kind == "RTSTRUCT" and struct.frame_of_reference_uid == files.FRAME
    volumes = {x["name"]: x["volume_cc"] for x in struct.summary["structures"]}
    # PTV: 22.5 x 27.5 mm on 4 planes 2.5 mm apart = 6.1875 cm³.
    assert volumes["PTV"] == pytest.approx(6.1875, abs=1e-3)
    assert bytes(struct.data) == files.rtstruct_bytes(mrn, meta=False) and struct.size > 0
    dose, created = s.plan_dicom_import(
        plan=plan,
        by=w.dosimetrist,
        content=files.rtdose_bytes(mrn, plan.dicom_sop_instance_uid),
        file_name="d",
    )
    assert created and dose.referenced_plan_uid == plan.dicom_sop_instance_uid
    assert (dose.summary["columns"], dose.summary["rows"], dose.summary["frames"]) == (32, 16, 6)
    assert dose.summary["pixel_spacing_mm"] == [2.5, 2.5] and dose.summary["units"] == "GY"
    assert float(dose.max_dose_gy) == pytest.approx(62.0)  # x = 77.5 mm x 0.8 Gy/mm
    assert dose.dvh_structure_set == struct
    by_name = {d["name"]: d for d in dose.dvhs}
    assert by_name["PTV"]["d95_gy"] == 44.0 and by_name["PTV"]["d2_gy"] == 60.0
    assert by_name["PTV"]["mean_gy"] == pytest.approx(52.0)
    assert by_name["Heart"]["mean_gy"] == pytest.approx(12.0)
    assert by_name["SpinalCord"]["max_gy"] == pytest.approx(56.0)
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="radiotherapy.plandicomobject", patient_mrn=mrn
        ).count()
        == 2
    )
    # Same SOP Instance UID again: the stored row, nothing new.
    again, created = s.plan_dicom_import(
        plan=plan, by=w.dosimetrist, content=files.rtstruct_bytes(mrn), file_name="s2"
    )
    assert again == struct and not created and PlanDicomObject.objects.count() == 2


def test_dvh_report_flags_violated_constraints(w):
    plan = imported_plan(w)
    mrn = w.patient.mrn
    s.plan_dicom_import(plan=plan, by=w.physicist, content=files.rtstruct_bytes(mrn), file_name="s")
    s.plan_dicom_import(
        plan=plan,
        by=w.physicist,
        content=files.rtdose_bytes(mrn, plan.dicom_sop_instance_uid),
        file_name="d",
    )
    report = selectors.plan_dvh_report(plan=plan)
    rows = {r["name"]: r for r in report["rows"]}
    assert rows["SpinalCord"]["organ"] == "Spinal cord" and rows["SpinalCord"]["violated"]
    (cord,) = rows["SpinalCord"]["checks"]
    assert cord["constraint"].metric == "Dmax" and cord["value"] == pytest.approx(56.0)
    assert cord["passed"] is False
    (heart,) = rows["Heart"]["checks"]
    assert heart["value"] == pytest.approx(12.0) and heart["passed"] is True
    lungs = {ch["constraint"].metric: ch for ch in rows["Lungs"]["checks"]}
    assert lungs["V20"]["value"] == pytest.approx(77.78) and lungs["V20"]["passed"] is False
    assert lungs["Dmean"]["value"] == pytest.approx(24.0) and lungs["Dmean"]["passed"] is False
    assert not rows["Heart"]["violated"] and rows["PTV"]["checks"] == []
    assert dict(rows["Lungs"]["figures"])["V20"] == pytest.approx(77.78)


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda w, p: files.ct_image_bytes(w.patient.mrn), "file", "modality 'CT'"),
        (lambda w, p: b"\x00" * 10, "file", "not a readable DICOM file"),
        (lambda w, p: files.ion_plan_bytes(w.patient.mrn), "file", "ion plans are not supported"),
        (lambda w, p: files.rtplan_bytes(w.patient.mrn), "Modality", "RTPLAN"),
        (lambda w, p: files.rtstruct_bytes("99999999"), "PatientID", "for patient 99999999"),
        (
            lambda w, p: files.rtstruct_bytes(w.patient.mrn, frame=files.OTHER_FRAME),
            "FrameOfReferenceUID",
            "not the plan's frame of reference",
        ),
        (
            lambda w, p: files.rtstruct_bytes(w.patient.mrn, uid="1.2.3.4"),
            "SOPInstanceUID",
            "not the structure set the RT Plan was made on",
        ),
        (
            lambda w, p: files.rtdose_bytes(w.patient.mrn, "1.2.3.999"),
            "ReferencedRTPlanSequence",
            "names RT Plan 1.2.3.999",
        ),
        (
            lambda w, p: files.rtdose_bytes(
                w.patient.mrn, p.dicom_sop_instance_uid, frame=files.OTHER_FRAME
            ),
            "FrameOfReferenceUID",
            "not the plan's frame of reference",
        ),
    ],
    ids=[
        "wrong-modality",
        "not-dicom",
        "ion-plan",
        "rt-plan-here",
        "other-patient",
        "struct-other-frame",
        "struct-not-the-plans",
        "dose-other-plan",
        "dose-other-frame",
    ],
)
def test_bad_files_are_refused_naming_the_field_and_nothing_is_saved(w, make, field, words):
    plan = imported_plan(w)
    content = make(w, plan)
    for check in (
        lambda: s.rtobject_check(plan=plan, by=w.dosimetrist, content=content),
        lambda: s.plan_dicom_import(plan=plan, by=w.dosimetrist, content=content, file_name="x"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            check()
        assert field in field_of(exc) and words in str(exc.value)
    assert not PlanDicomObject.objects.exists()


def test_a_dose_cannot_be_linked_to_a_plan_entered_by_hand(w):
    w.make_rx()
    plan = w.make_plan()
    with pytest.raises(ValidationFailed) as exc:
        s.rtobject_check(
            plan=plan, by=w.dosimetrist, content=files.rtdose_bytes(w.patient.mrn, "1.2.3")
        )
    assert field_of(exc) == ["ReferencedRTPlanSequence"] and "entered by hand" in str(exc.value)
    # Its structure set sets the plan's frame of reference; the next object must share it.
    s.plan_dicom_import(
        plan=plan, by=w.dosimetrist, content=files.rtstruct_bytes(w.patient.mrn), file_name="s"
    )
    with pytest.raises(ValidationFailed) as exc:
        s.rtobject_check(
            plan=plan,
            by=w.dosimetrist,
            content=files.rtstruct_bytes(w.patient.mrn, frame=files.OTHER_FRAME, uid="1.2.9"),
        )
    assert field_of(exc) == ["FrameOfReferenceUID"]


def test_an_object_of_another_plan_is_a_conflict(w):
    plan = imported_plan(w)
    s.plan_dicom_import(
        plan=plan, by=w.dosimetrist, content=files.rtstruct_bytes(w.patient.mrn), file_name="s"
    )
    w.make_rx()
    other = w.make_plan()
    with pytest.raises(Conflict) as exc:
        s.rtobject_check(plan=other, by=w.dosimetrist, content=files.rtstruct_bytes(w.patient.mrn))
    assert exc.value.rule == "rtobject_other_plan" and field_of(exc) == ["SOPInstanceUID"]


def test_a_relative_dose_is_stored_without_dvh_and_says_why(w):
    plan = imported_plan(w)
    mrn = w.patient.mrn
    s.plan_dicom_import(
        plan=plan, by=w.dosimetrist, content=files.rtstruct_bytes(mrn), file_name="s"
    )
    ds = files.rtdose(mrn, plan.dicom_sop_instance_uid)
    ds.DoseUnits = "RELATIVE"
    dose, _ = s.plan_dicom_import(
        plan=plan, by=w.dosimetrist, content=files._write(ds, meta=True), file_name="d"
    )
    assert dose.dvhs == [] and dose.max_dose_gy is None
    assert "needs absolute dose" in dose.summary["dvh_refused"]


def test_only_planners_import(w):
    plan = imported_plan(w)
    from oncocenter.core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        s.rtobject_check(plan=plan, by=w.therapist, content=files.rtstruct_bytes(w.patient.mrn))


# --- pure helpers ------------------------------------------------------------------------------------


def test_dvh_metrics_read_from_a_stored_curve():
    d = {
        "volume_cc": 10.0,
        "min_gy": 1.0,
        "mean_gy": 5.0,
        "max_gy": 9.0,
        "d95_gy": 1.5,
        "d50_gy": 5.0,
        "d2_gy": 8.8,
        "bins_gy": [0.0, 2.0, 4.0, 6.0, 8.0],
        "volume_pct": [100.0, 80.0, 50.0, 20.0, 5.0],
    }
    assert dvh_metric(d, "Dmax") == (9.0, "Gy") and dvh_metric(d, "Dmean") == (5.0, "Gy")
    assert dvh_metric(d, "V4") == (50.0, "%") and dvh_metric(d, "V5Gy") == (20.0, "%")
    assert dvh_metric(d, "D95") == (1.5, "Gy") and dvh_metric(d, "D2%") == (8.8, "Gy")
    assert dvh_metric(d, "D20") == (6.0, "Gy")  # highest edge with >= 20 % of the volume
    assert dvh_metric(d, "D0.5cc") == (8.0, "Gy")  # 0.5 of 10 cm³ = 5 %
    assert dvh_metric(d, "D20cc") is None and dvh_metric(d, "Vx") is None


def test_dvh_svg_has_no_inline_style_and_escapes_names():
    svg = dvh_svg([Curve("<PTV>", [0.0, 1.0], [100.0, 0.0])], title="DVH")
    assert "style=" not in svg and "<script" not in svg and "&lt;PTV&gt;" in svg
    assert svg.count("<polyline") == 1
    assert "No DVH" in dvh_svg([], title="t", empty_text="No DVH")


# --- as jobs: the course page and the API ---------------------------------------------------------------


def upload(name, content):
    return SimpleUploadedFile(name, content, "application/dicom")


def test_course_page_upload_runs_as_a_job_and_the_dvh_page_shows_it(w, client_as):
    plan = imported_plan(w)
    mrn = w.patient.mrn
    c = client_as(user=w.dosimetrist)
    url = reverse("radiotherapy:action", args=[w.course.pk, "plan-dicom"])
    r = c.post(url, {"target": plan.pk, "file": upload("rs.dcm", files.rtstruct_bytes(mrn))})
    job = Job.objects.get(kind="radiotherapy.rtobject_import")
    assert r.status_code == 302 and r["Location"] == reverse("jobs:detail", args=[job.pk])
    assert not PlanDicomObject.objects.exists()  # not inside the request
    assert job_execute(job_id=job.pk) == "succeeded"
    job.refresh_from_db()
    dvh_url = reverse("radiotherapy:dvh", args=[w.course.pk, plan.pk])
    assert job.result["created"] and dvh_url in c.get(r["Location"]).content.decode()
    dose = files.rtdose_bytes(mrn, plan.dicom_sop_instance_uid)
    c.post(url, {"target": plan.pk, "file": upload("rd.dcm", dose)})
    job = Job.objects.filter(kind="radiotherapy.rtobject_import").latest("pk")
    assert job_execute(job_id=job.pk) == "succeeded"
    page = c.get(dvh_url)
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and body.count('class="dvh-curve"') == 4
    assert "VIOLATED" in body and "SpinalCord" in body and 'class="violated"' in body
    assert AuditEvent.objects.filter(
        action="read", object_type="radiotherapy.plan", patient_mrn=mrn
    ).exists()
    # The same file again: no job, straight to the DVH page.
    r = c.post(url, {"target": plan.pk, "file": upload("rd.dcm", dose)})
    assert r.status_code == 302 and r["Location"] == dvh_url
    assert Job.objects.filter(kind="radiotherapy.rtobject_import").count() == 2
    # The course page links to it.
    assert dvh_url in c.get(reverse("radiotherapy:course", args=[w.course.pk])).content.decode()


def test_course_page_refuses_a_bad_file_at_once_naming_the_field(w, client_as):
    plan = imported_plan(w)
    c = client_as(user=w.dosimetrist)
    r = c.post(
        reverse("radiotherapy:action", args=[w.course.pk, "plan-dicom"]),
        {"target": plan.pk, "file": upload("rs.dcm", files.rtstruct_bytes("99999999"))},
    )
    assert r.status_code == 422 and "Patient ID (0010,0020)" in r.content.decode()
    assert not Job.objects.exists() and not PlanDicomObject.objects.exists()


def test_rt_plan_upload_on_the_course_page_runs_as_a_job(w, client_as):
    DicomMachineName.objects.create(dicom_name="unit001", machine=w.linac)
    rx = w.make_rx(dose_per_fraction_gy="1.03", number_of_fractions=30, technique="3D")
    c = client_as(user=w.dosimetrist)
    r = c.post(
        reverse("radiotherapy:action", args=[w.course.pk, "plan-import"]),
        {"target": rx.pk, "file": upload("rp.dcm", files.rtplan_bytes(w.patient.mrn))},
    )
    job = Job.objects.get(kind="radiotherapy.rtplan_import")
    assert r.status_code == 302 and not Plan.objects.exists()
    assert job_execute(job_id=job.pk) == "succeeded"
    assert Plan.objects.get().dicom_summary["frame_of_reference_uid"] == files.FRAME
    # An ion plan is refused in the request, in plain words.
    r = c.post(
        reverse("radiotherapy:action", args=[w.course.pk, "plan-import"]),
        {"target": rx.pk, "file": upload("ion.dcm", files.ion_plan_bytes(w.patient.mrn))},
    )
    assert r.status_code == 422 and "ion plans are not supported" in r.content.decode()
    assert Job.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("radiation_oncologist", 200),
        ("medical_physicist", 200),
        ("dosimetrist", 200),
        ("radiation_therapist", 200),
        ("social_worker", 403),
        ("administrator", 403),
        ("hospital_school_teacher", 403),
    ],
)
def test_dvh_page_access_by_role(w, client_as, role, status):
    plan = imported_plan(w)
    r = client_as(role).get(reverse("radiotherapy:dvh", args=[w.course.pk, plan.pk]))
    assert r.status_code == status
    if status == 200:
        assert "No DVH yet" in r.content.decode()


def test_dvh_page_of_a_plan_of_another_course_is_404(w, client_as):
    plan = imported_plan(w)
    other = w.make_course(label="Other")
    r = client_as("radiation_oncologist").get(reverse("radiotherapy:dvh", args=[other.pk, plan.pk]))
    assert r.status_code == 404


def test_api_imports_as_jobs_and_reads_the_dvh(w, api_as):
    plan = imported_plan(w)
    mrn = w.patient.mrn
    c = api_as(user=w.physicist)
    r = c.post(
        f"{API}/plans/{plan.pk}/dicom", {"file": upload("rs.dcm", files.rtstruct_bytes(mrn))}
    )
    assert r.status_code == 202, r.content
    job = r.json()
    assert job["status"] == "queued" and job["kind"] == "radiotherapy.rtobject_import"
    assert job_execute(job_id=job["job"]) == "succeeded"
    status = c.get(job["status_url"]).json()
    assert status["status"] == "succeeded" and status["result"]["created"] is True
    r = c.post(
        f"{API}/plans/{plan.pk}/dicom",
        {"file": upload("rd.dcm", files.rtdose_bytes(mrn, plan.dicom_sop_instance_uid))},
    )
    job_execute(job_id=r.json()["job"])
    listed = c.get(f"{API}/plans/{plan.pk}/dicom").json()
    assert [o["kind"] for o in listed] == ["RTDOSE", "RTSTRUCT"]
    assert listed[0]["summary"]["rows"] == 16 and listed[0]["max_dose_gy"] == "62.000"
    dvh = c.get(f"{API}/plans/{plan.pk}/dvh").json()
    cord = next(x for x in dvh["structures"] if x["name"] == "SpinalCord")
    assert cord["violated"] and cord["constraints"][0]["passed"] is False
    assert cord["figures"]["Dmax"] == pytest.approx(56.0)
    # Again: the stored object, 200, no job.
    r = c.post(
        f"{API}/plans/{plan.pk}/dicom", {"file": upload("rs.dcm", files.rtstruct_bytes(mrn))}
    )
    assert r.status_code == 200 and r.json()["kind"] == "RTSTRUCT"
    assert Job.objects.filter(kind="radiotherapy.rtobject_import").count() == 2


def test_api_refuses_bad_files_with_422_naming_the_field(w, api_as):
    plan = imported_plan(w)
    c = api_as(user=w.dosimetrist)
    r = c.post(
        f"{API}/plans/{plan.pk}/dicom",
        {"file": upload("rs.dcm", files.rtstruct_bytes(w.patient.mrn, frame=files.OTHER_FRAME))},
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["FrameOfReferenceUID"]
    r = c.post(
        f"{API}/plans/{plan.pk}/dicom",
        {"file": upload("ion.dcm", files.ion_plan_bytes(w.patient.mrn))},
    )
    assert r.status_code == 422 and "ion plans are not supported" in r.content.decode()
    assert not Job.objects.filter(kind="radiotherapy.rtobject_import").exists()


def test_api_failed_job_reports_its_problems(w, api_as):
    plan = imported_plan(w)
    mrn = w.patient.mrn
    c = api_as(user=w.dosimetrist)
    r = c.post(
        f"{API}/plans/{plan.pk}/dicom", {"file": upload("rs.dcm", files.rtstruct_bytes(mrn))}
    )
    # Between the upload and the worker, the patient's MRN changed: the job refuses the file.
    w.patient.mrn = "77777777"
    w.patient.save(update_fields=["mrn"])
    assert job_execute(job_id=r.json()["job"]) == "failed"
    status = c.get(r.json()["status_url"]).json()
    assert status["status"] == "failed" and status["result"]["problems"][0]["field"] == "PatientID"
    assert not PlanDicomObject.objects.exists()


@pytest.mark.parametrize(
    ("method", "url", "allowed", "denied"),
    [
        ("post", "/plans/{plan}/dicom", "dosimetrist", "radiation_therapist"),
        ("post", "/plans/{plan}/dicom", "medical_physicist", "radiation_oncologist"),
        ("get", "/plans/{plan}/dicom", "radiation_oncologist", "social_worker"),
        ("get", "/plans/{plan}/dvh", "dosimetrist", "administrator"),
        ("get", "/imports/{job}", "medical_physicist", "hospital_school_teacher"),
    ],
)
def test_api_allow_and_deny_per_role(w, api_as, method, url, allowed, denied):
    plan = imported_plan(w)
    job = s.rtobject_import_submit(
        plan=plan, by=w.dosimetrist, content=files.rtstruct_bytes(w.patient.mrn), file_name="s"
    )[0]
    path = API + url.format(plan=plan.pk, job=job.pk)

    def call(client):
        if method == "post":
            return client.post(path, {"file": upload("rs.dcm", files.rtstruct_bytes("1"))})
        return client.get(path)

    assert call(api_as(denied)).status_code == 403
    r = call(api_as(allowed))
    # Past the permission check: a GET reads; the POST's wrong patient is refused naming it.
    assert r.status_code == (422 if method == "post" else 200), r.content


def test_files_over_the_limit_are_refused_before_reading(w, monkeypatch):
    from oncocenter.radiotherapy.services import dicom

    plan = imported_plan(w)
    monkeypatch.setattr(dicom, "MAX_DICOM_BYTES", 100)
    for call in (
        lambda: s.rtobject_check(
            plan=plan, by=w.dosimetrist, content=files.rtstruct_bytes(w.patient.mrn)
        ),
        lambda: s.rtplan_import_submit(
            prescription=plan.prescription,
            by=w.dosimetrist,
            content=files.rtplan_bytes(w.patient.mrn),
            file_name="rp.dcm",
        ),
    ):
        with pytest.raises(ValidationFailed) as exc:
            call()
        assert field_of(exc) == ["file"] and "larger than" in str(exc.value)
    assert not Job.objects.exists()
