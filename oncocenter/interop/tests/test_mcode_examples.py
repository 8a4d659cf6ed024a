"""All 179 example resources of mCODE STU4: imported, round-tripped, or refused with a reason."""

import json
from collections import Counter

import pytest

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.interop.fhir import server, vitals
from oncocenter.interop.fhir.importer import ImportContext, import_all, round_trip_differences
from oncocenter.interop.fhir.profiles import check
from oncocenter.interop.tests.test_profiles import mcode_package  # noqa: F401 (fixture)
from oncocenter.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_every_example_is_imported_or_refused_with_a_reason(mcode_package):  # noqa: F811
    examples = [
        json.loads(f.read_text()) for f in sorted((mcode_package.root / "example").glob("*.json"))
    ]
    assert len(examples) == 179
    ctx = ImportContext(by=UserFactory(roles=["radiation_oncologist"]))
    results = import_all(examples, ctx)
    by_key = {f"{r['resourceType']}/{r['id']}": r for r in examples}
    table: dict[str, Counter] = {}
    reasons: dict[str, Counter] = {}
    for result in results:
        rtype = result.key.split("/")[0]
        row = table.setdefault(rtype, Counter())
        row["examples"] += 1
        if result.status == "refused":
            assert result.reason, result.key
            row["refused"] += 1
            reasons.setdefault(rtype, Counter())[result.reason[:110]] += 1
            continue
        row["imported"] += 1
        local_type, local_id = ctx.local_ids[result.key].split("/", 1)
        found = server.read(local_type, local_id)
        assert found is not None, result.key
        exported = found[1]
        diffs = round_trip_differences(by_key[result.key], exported)
        # mCODE profiles by the checker built from the package; the FHIR core vital signs
        # profiles (not in the package) by their rules in `vitals.profile_problems`.
        problems = [
            p.message
            for prof in exported["meta"].get("profile", [])
            if prof in mcode_package.profiles
            for p in check(exported, prof, mcode_package)
        ]
        if any(p.startswith(vitals.PROFILE) for p in exported["meta"].get("profile", [])):
            problems += vitals.profile_problems(exported)
        if not diffs and not problems:
            row["round-tripped"] += 1
        else:
            reasons.setdefault(rtype, Counter())[
                f"not round-tripped: {(diffs + problems)[0][:90]}"
            ] += 1
    print("\nmCODE examples:", json.dumps(table, indent=1))
    out = mcode_package.root.parent / "mcode-examples-table.json"
    out.write_text(json.dumps({"table": table, "reasons": reasons}, indent=1, ensure_ascii=False))
    print("reasons:", json.dumps(reasons, indent=1, ensure_ascii=False))
    assert sum(r["examples"] for r in table.values()) == 179
    assert sum(r["imported"] + r["refused"] for r in table.values()) == 179
    assert (
        table["Patient"]["imported"] >= 5
        and table["Patient"]["round-tripped"] == table["Patient"]["imported"]
    )
    assert table["Condition"]["imported"] >= 5
    # 4 mCODE Observations, one US Core laboratory result (LOINC of the lab catalogue) and
    # three vital signs (two body weights in lb, one height in inches, converted to kg and cm).
    assert table["Observation"]["imported"] >= 8
    for rtype in ("Patient", "Condition", "Observation"):
        assert table[rtype]["round-tripped"] == table[rtype]["imported"], rtype
    # Two examples share one hospital identifier with different people: refused, not merged.
    assert Patient.objects.count() == table["Patient"]["imported"]
