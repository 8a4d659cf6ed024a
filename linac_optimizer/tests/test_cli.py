import json
import os
import subprocess
import sys
import time
from pathlib import Path

from linac_optimizer.cli import main
from linac_optimizer.tests.conftest import SAMPLE


def write(path, obj):
    path.write_text(json.dumps(obj))
    return str(path)


def test_solve_then_check(tmp_path, capsys):
    inst = write(tmp_path / "i.json", SAMPLE)
    out = str(tmp_path / "s.json")
    assert main(["solve", inst, "--out", out, "--time-limit", "5"]) == 0
    sol = json.loads(Path(out).read_text())
    assert sol["format"] == "linac-schedule-solution/1" and len(sol["appointments"]) == 25
    capsys.readouterr()
    assert main(["check", inst, out]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["on_time"]["radical"]["share"] == 1.0


def test_check_reports_broken_rules(tmp_path, capsys):
    inst = write(tmp_path / "i.json", SAMPLE)
    sol = write(
        tmp_path / "s.json",
        {
            "format": "linac-schedule-solution/1",
            "appointments": [
                {
                    "patient": "P0001",
                    "fraction": 1,
                    "machine": "LINAC-1",
                    "start": "2027-03-02T07:00",
                    "end": "2027-03-02T07:25",
                }
            ],
        },
    )
    assert main(["check", inst, sol]) == 1
    out = json.loads(capsys.readouterr().out)
    rules = {v["rule"] for v in out["violations"]}
    assert {"open-hours", "complete", "booked-kept"} <= rules


def test_malformed_instance_exit_2_names_field(tmp_path, capsys):
    bad = json.loads(json.dumps(SAMPLE))
    bad["patients"][0]["fractions"] = -2
    inst = write(tmp_path / "i.json", bad)
    assert main(["solve", inst, "--out", str(tmp_path / "s.json")]) == 2
    assert (
        "patients[0] (P0001).fractions: must be a positive integer, got -2"
        in capsys.readouterr().err
    )


def test_online_and_outage_options(tmp_path):
    inst = write(tmp_path / "i.json", SAMPLE)
    first = str(tmp_path / "s.json")
    assert main(["solve", inst, "--out", first]) == 0
    changes = tmp_path / "c.json"
    out = str(tmp_path / "s2.json")
    assert (
        main(
            [
                "solve",
                inst,
                "--booked-from",
                first,
                "--out",
                out,
                "--outage",
                "LINAC-1",
                "2027-03-05T08:00",
                "2027-03-05T12:00",
                "--changes",
                str(changes),
            ]
        )
        == 0
    )
    ch = json.loads(changes.read_text())
    assert ch and ch[0]["old_start"] == "2027-03-05T08:00" and ch[0]["new_start"]
    # online: a second patient is booked around the fixed first one
    two = json.loads(json.dumps(SAMPLE))
    two["patients"].append({**SAMPLE["patients"][0], "id": "P0002", "booked": []})
    inst2 = write(tmp_path / "i2.json", two)
    out3 = str(tmp_path / "s3.json")
    assert (
        main(
            [
                "solve",
                inst2,
                "--booked-from",
                first,
                "--new-patients",
                "P0002",
                "--today",
                "2027-03-02",
                "--out",
                out3,
            ]
        )
        == 0
    )
    assert main(["check", inst2, out3]) == 0


def test_python_dash_m(tmp_path):
    inst = write(tmp_path / "i.json", SAMPLE)
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root}
    r = subprocess.run(
        [sys.executable, "-m", "linac_optimizer", "check", inst, str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
    )
    assert r.returncode == 2 and "file not found" in r.stderr


def _online_case(tmp_path):
    """SAMPLE booked greedily as the current schedule, plus a new patient P0002: the online
    command's arguments (without --out) and the output path."""
    inst = write(tmp_path / "i.json", SAMPLE)
    first = str(tmp_path / "s.json")
    assert main(["solve", inst, "--out", first, "--method", "greedy"]) == 0
    two = json.loads(json.dumps(SAMPLE))
    two["patients"].append({**SAMPLE["patients"][0], "id": "P0002", "booked": []})
    inst2 = write(tmp_path / "i2.json", two)
    args = ["solve", inst2, "--booked-from", first, "--new-patients", "P0002"]
    return args, str(tmp_path / "s2.json")


def test_online_solve_bounds_cp_sat_by_the_wall_clock_limit_on_both_workers(tmp_path, monkeypatch):
    """`solve --new-patients` gave CP-SAT its --time-limit as deterministic work with a 3x
    wall-clock safety net, on one worker, after the greedy incumbent and the candidates: an
    outside case (10 machines, 90 new patients) took 33 s for --time-limit 10. The command
    line's limit is the caller's wall clock, on --workers cores."""
    from linac_optimizer import candidates

    calls = []
    real = candidates.run_cpsat

    def spy(model, time_limit, workers, wall_clock=False):
        calls.append((time_limit, workers, wall_clock))
        return real(model, time_limit, workers, wall_clock)

    monkeypatch.setattr(candidates, "run_cpsat", spy)
    args, out = _online_case(tmp_path)
    assert main([*args, "--time-limit", "4", "--out", out]) == 0
    assert calls and all(wc and w == 2 and 0 < t <= 0.9 * 4 - 0.5 for t, w, wc in calls)


def test_solve_time_limit_counts_from_the_command_start(tmp_path, monkeypatch):
    """`solve --time-limit 10` ran the search for 10 s from its own start, after the
    interpreter, the imports and the instance file (about 1 s, 5 s on the loaded machine of
    the outside cases: 13-15 s commands). The limit now counts from the command's start."""
    from linac_optimizer import solver

    seen = []
    real = solver.solve

    def spy(inst, **kw):
        seen.append(kw["time_limit"])
        return real(inst, **{**kw, "time_limit": 1.0})

    monkeypatch.setattr(solver, "solve", spy)
    inst = write(tmp_path / "i.json", SAMPLE)
    out = str(tmp_path / "s.json")
    started = time.perf_counter() - 6.0  # the command started 6 s ago
    assert main(["solve", inst, "--out", out, "--time-limit", "10"], started=started) == 0
    assert seen and seen[0] <= 4.0


def test_online_solve_past_its_deadline_keeps_greedys_day_and_skips_cp_sat(
    tmp_path, monkeypatch, capsys
):
    """`solve --new-patients ... --time-limit 30` on the 400-patient outside case took 30-34 s:
    the bumps, fallbacks, comparison and polish after CP-SAT were not bounded. One deadline
    from the command's start now bounds them; once it has passed (here: the command started
    100 s ago) greedy's day is written, valid, without laying out candidates or CP-SAT."""
    from linac_optimizer import candidates

    calls = []
    monkeypatch.setattr(candidates, "run_cpsat", lambda *a, **k: calls.append(a))
    args, out = _online_case(tmp_path)
    started = time.perf_counter() - 100.0
    assert main([*args, "--out", out, "--time-limit", "30"], started=started) == 0
    assert calls == []
    sol = json.loads(Path(out).read_text())
    assert {a["patient"] for a in sol["appointments"]} >= {"P0002"}
    assert sol["metrics"]["online"] == {"kept": "greedy", "skipped_after_deadline": ["optimizer"]}
    capsys.readouterr()
    assert main(["check", args[1], out]) == 0
