"""Staff UI of the radiotherapy course: worklists, a patient's courses, the course page with one
form per step (htmx posts re-render the course body), and the printable treatment summary.

Each step of the course page is one entry of `STEPS`: the permission it needs, its form
(`radiotherapy.forms`), the one service it calls and what the user is told. A refused step comes
back as the course body (htmx) or page with the form's problems beside its fields, status 422
(input) or 409 (an interlock); nothing is saved. 403 and 404 are left to the middleware.

`pages` (worklists, a patient's courses, the summary), `dicom` (a plan's DVH page), `course` (the course page and its steps'
runner), `steps` (what each step does); `urls.py` names the views re-exported here.
"""

from oncocenter.radiotherapy.views.course import course_action, course_detail
from oncocenter.radiotherapy.views.dicom import plan_dvh
from oncocenter.radiotherapy.views.pages import index, patient_courses, summary, summary_pdf
from oncocenter.radiotherapy.views.records import treatment_record_upload

__all__ = [
    "course_action",
    "course_detail",
    "index",
    "patient_courses",
    "plan_dvh",
    "summary",
    "summary_pdf",
    "treatment_record_upload",
]
