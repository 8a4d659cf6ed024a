"""Seed the editable reference tables from the JSON files shipped in radiotherapy/data/."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _load(name):
    with (DATA / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def load(apps, schema_editor):
    ConstraintSet = apps.get_model("radiotherapy", "ConstraintSet")
    OrganConstraint = apps.get_model("radiotherapy", "OrganConstraint")
    ChecklistItem = apps.get_model("radiotherapy", "ChecklistItem")
    CtcaeTerm = apps.get_model("radiotherapy", "CtcaeTerm")
    GapSensitiveSite = apps.get_model("radiotherapy", "GapSensitiveSite")

    for s in _load("oar_constraints.json")["sets"]:
        cs, _ = ConstraintSet.objects.get_or_create(code=s["code"], defaults={
            "name": s["name"], "name_ko": s.get("name_ko", ""), "fractionation": s.get("fractionation", ""),
            "source": s["source"]})
        for c in s["constraints"]:
            OrganConstraint.objects.get_or_create(constraint_set=cs, organ=c["organ"], metric=c["metric"], defaults={
                "organ_ko": c.get("organ_ko", ""), "comparator": c["comparator"], "limit": Decimal(str(c["limit"])),
                "unit": c["unit"], "alpha_beta_gy": Decimal(str(c["alpha_beta_gy"])), "note": c.get("note", "")})
    for i, item in enumerate(_load("mppg11a_checks.json")["items"]):
        ChecklistItem.objects.get_or_create(code=item["code"], defaults={
            "kind": item["kind"], "text": item["text"], "text_ko": item.get("text_ko", ""), "order": i})
    for t in _load("ctcae_v5_rt_terms.json")["terms"]:
        CtcaeTerm.objects.get_or_create(code=t["code"], defaults={
            "term": t["term"], "term_ko": t.get("term_ko", ""), "soc": t.get("soc", ""), "grades": t["grades"]})
    for s in _load("gap_sensitive_sites.json")["sites"]:
        GapSensitiveSite.objects.get_or_create(code=s["code"], defaults={
            "label": s["label"], "label_ko": s.get("label_ko", ""), "icd10_prefixes": s["icd10_prefixes"],
            "icdo3_morphologies": s.get("icdo3_morphologies", []), "note": s.get("note", "")})


class Migration(migrations.Migration):
    dependencies = [("radiotherapy", "0001_course_records")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
