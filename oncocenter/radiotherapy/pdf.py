"""Treatment summary as PDF with fpdf2 (pure Python, from PyPI).

Hangul needs a TrueType font with Korean glyphs: `ONCOCENTER_PDF_FONT` (a .ttf path) or a Nanum /
Noto CJK font found in the usual system folders. Without one, the PDF uses a core font and prints
the Latin name instead of the Hangul one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from fpdf import FPDF

if TYPE_CHECKING:
    from oncocenter.radiotherapy.models import Course

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansKR-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/Library/Fonts/AppleGothic.ttf",
    "C:/Windows/Fonts/malgun.ttf",
)


def _font_path() -> str | None:
    configured = os.environ.get("ONCOCENTER_PDF_FONT")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and candidate.endswith(".ttf") and Path(candidate).is_file():
            return candidate
    return None


def summary_context(course: Course) -> dict[str, Any]:
    """What the summary page and its PDF show."""
    from oncocenter.radiotherapy import selectors

    return {
        "course": course,
        "patient": course.patient,
        "dose_summary": selectors.dose_summary(course=course),
        "prescriptions": [
            {
                "rx": rx,
                "plan": selectors.current_plan(rx),
                "interruptions": selectors.prescription_interruptions(rx=rx),
                "signature": selectors.active_signatures(
                    prescription=rx, meaning="prescription-signed"
                ).first(),
            }
            for rx in course.prescriptions.order_by("pk")
        ],
        "reviews": course.weekly_reviews.prefetch_related("grades__term").order_by("reviewed_on"),
        "checks": course.physics_checks.select_related("checker").order_by("performed_at"),
        "overrides": [
            o
            for rx in course.prescriptions.all()
            for p in rx.plans.all()
            for o in p.overrides.filter(signature__voided_at__isnull=True)
        ],
        "generated_at": timezone.localtime(),
    }


def treatment_summary_pdf(ctx: dict[str, Any]) -> bytes:
    course, patient = ctx["course"], ctx["patient"]
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    font = _font_path()
    if font:
        pdf.add_font("body", "", font)
        family, hangul = "body", True
    else:
        family, hangul = "Helvetica", False

    def text(s: Any) -> str:
        value = str(s)
        return value if hangul else value.encode("latin-1", "replace").decode("latin-1")

    def line(s: Any, size: int = 10, h: float = 6) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, h, text(s), new_x="LMARGIN", new_y="NEXT")

    line("Radiotherapy treatment summary", 15, 9)
    name = f"{patient.name_ko} ({patient.name_en})" if hangul else patient.name_en
    line(f"{name} · MRN {patient.mrn} · born {patient.birth_date:%Y-%m-%d}")
    line(
        f"Course {course.number}: {course.label} · {course.intent} · {course.status}"
        + (" · re-irradiation" if course.is_reirradiation else "")
    )
    line(
        f"Radiation oncologist: {course.physician} · {course.started_on or '-'} to {course.ended_on or '-'}"
    )
    pdf.ln(2)
    line("Prescribed and delivered dose", 12, 8)
    for r in ctx["dose_summary"]:
        line(
            f"{r['site']} ({r['technique']}): prescribed {r['dose_prescribed_gy']} Gy in "
            f"{r['fractions_prescribed']} fx; delivered {r['dose_delivered_gy']} Gy in {r['fractions_delivered']} fx; "
            f"EQD2 (a/b 10) {r['eqd2_delivered_gy_ab10']} Gy"
        )
    for p in ctx["prescriptions"]:
        rx = p["rx"]
        extra = f"; plan {p['plan'].label} on {p['plan'].machine.code}" if p["plan"] else ""
        gaps = p["interruptions"]
        if gaps.interrupted:
            extra += f"; {gaps.days_lost} open day(s) lost" + (
                " - gap compensation needed" if gaps.compensation_needed else ""
            )
        signed = f"; signed by {p['signature'].signer}" if p["signature"] else ""
        line(
            f"{rx.site}: {rx.total_dose_gy} Gy / {rx.number_of_fractions} x {rx.dose_per_fraction_gy} Gy "
            f"{rx.pattern} {rx.energy}{signed}{extra}"
        )
    if ctx["overrides"]:
        pdf.ln(2)
        line("Dose-limit overrides", 12, 8)
        for o in ctx["overrides"]:
            line(f"{o.organ} {o.metric} {o.value} {o.unit} (limit {o.limit}): {o.justification}")
    pdf.ln(2)
    line("Toxicity (CTCAE v5)", 12, 8)
    reviews = list(ctx["reviews"])
    for r in reviews:
        grades = "; ".join(f"{g.term.term} {g.grade}" for g in r.grades.all())
        line(f"{r.reviewed_on:%Y-%m-%d}: {grades or 'no grade recorded'}")
    if not reviews:
        line("No review recorded.")
    pdf.ln(2)
    line("Physics checks", 12, 8)
    for c in ctx["checks"]:
        line(
            f"{c.kind} {c.performed_at:%Y-%m-%d} by {c.checker}: {'passed' if c.passed else 'failed'}"
        )
    pdf.ln(4)
    line(
        f"Generated {ctx['generated_at']:%Y-%m-%d %H:%M} · OncoCenter · synthetic demonstration data only",
        8,
        5,
    )
    return bytes(pdf.output())
