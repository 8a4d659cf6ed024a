"""Every exported resource type against the mCODE STU4 StructureDefinitions (package
hl7.fhir.us.mcode@4.0.0, fetched into the data directory by `mcode_package`, never committed)."""

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from oncocenter.interop.fhir import resources as R
from oncocenter.interop.fhir import server
from oncocenter.interop.fhir.profiles import Package, check

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def mcode_package():
    root = Path(os.environ.get("ONCOCENTER_DATA_DIR", "var")) / "mcode"
    package = root / "package"
    if not (package / "package.json").exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot fetch hl7.fhir.us.mcode@4.0.0")
        root.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "pack", "hl7.fhir.us.mcode@4.0.0"], cwd=root, capture_output=True, timeout=180
        )
        if done.returncode != 0:
            pytest.skip(f"npm pack failed: {done.stderr.decode()[:200]}")
        with tarfile.open(root / "hl7.fhir.us.mcode-4.0.0.tgz") as tar:
            tar.extractall(root, filter="data")
    return Package(package)


def exported(record, rt_course=None):
    out = [R.patient(record["patient"], [])]
    cond = server.SOURCES["Condition"][0]
    out += [cond.build(d) for d in cond.queryset().filter(patient=record["patient"])]
    out += R.tnm_observations(record["staging"])
    out += [
        R.performance(record["ps"]),
        R.tumor_marker(record["marker"]),
        R.disease_status(record["status"]),
    ]
    if rt_course is not None:
        out.append(R.rt_course_summary(rt_course, list(rt_course.prescriptions.all())))
    return out


def test_every_exported_resource_meets_its_profile(mcode_package, record):
    from oncocenter.radiotherapy.tests.factories import make_world

    world = make_world()
    world.patient = record["patient"]
    world.ready()
    results = {}
    for res in exported(record, world.course):
        for profile in res["meta"].get("profile", []):
            problems = check(res, profile, mcode_package)
            results[f"{res['resourceType']}/{profile.rsplit('/', 1)[1]}"] = problems
    print(json.dumps({k: [p.message for p in v] for k, v in results.items()}, indent=1))
    assert len(results) >= 11
    assert {k: v for k, v in results.items() if v} == {}


def test_the_checker_finds_broken_resources(mcode_package, record):
    res = R.performance(record["ps"])
    res["code"] = {"coding": [{"system": "http://loinc.org", "code": "0000-0"}]}
    del res["status"]
    problems = check(res, f"{R.MCODE}/mcode-ecog-performance-status", mcode_package)
    assert {p.path for p in problems} >= {"status", "code"}
    assert check(res, f"{R.MCODE}/mcode-cancer-patient", mcode_package)[0].path == "meta.profile"


def test_the_package_examples_against_their_profiles(mcode_package):
    """The checker on the 179 examples of the package: a baseline of what it recognises."""
    examples = sorted((mcode_package.root / "example").glob("*.json"))
    assert len(examples) == 179
    table: dict[str, list[int]] = {}
    for f in examples:
        res = json.loads(f.read_text())
        row = table.setdefault(res["resourceType"], [0, 0, 0])
        row[0] += 1
        profiles = [
            p for p in res.get("meta", {}).get("profile", []) if p in mcode_package.profiles
        ]
        if not profiles:
            continue
        if all(not check(res, p, mcode_package) for p in profiles):
            row[1] += 1
        else:
            row[2] += 1
    print("type: [examples, pass, fail]; the rest name no mCODE profile", json.dumps(table))
    assert sum(r[2] for r in table.values()) == 0
    assert sum(r[1] for r in table.values()) >= 120
