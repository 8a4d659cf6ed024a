from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.dburl import database_from_url
from config.settings.base import DEMO_SECRET_KEY


def _check(**kwargs):
    import importlib
    import sys

    # Import the checker without executing the module-level check against the demo settings.
    spec = importlib.util.find_spec("config.settings.production")
    source = Path(spec.origin).read_text()
    namespace: dict = {"__name__": "prod_check"}
    exec(compile(source.split("\ncheck_production(")[0], spec.origin, "exec"), namespace)
    sys.modules.pop("prod_check", None)
    return namespace["check_production"](**kwargs)


GOOD_KEY = "k7Qx!vR2#pL9zW4mN8bT1cY6hJ3sD5fG0aE-oU_iK" * 2
FIELD_KEY = "field-key-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0"
AUDIT_KEY = "audit-key-" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2H1g0"
KEYS = {"field_key": FIELD_KEY, "audit_key": AUDIT_KEY}


def test_production_refuses_debug():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        _check(debug=True, secret_key=GOOD_KEY, allowed_hosts=["onco.example"], **KEYS)


def test_production_refuses_demo_key():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        _check(debug=False, secret_key=DEMO_SECRET_KEY, allowed_hosts=["onco.example"], **KEYS)


def test_production_refuses_no_hosts():
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        _check(debug=False, secret_key=GOOD_KEY, allowed_hosts=[], **KEYS)


def test_production_accepts_safe_settings():
    _check(debug=False, secret_key=GOOD_KEY, allowed_hosts=["onco.example"], **KEYS)


@pytest.mark.parametrize("weak", ["a" * 40, "a" * 60, "ab" * 30, ""])
def test_production_refuses_a_weak_secret_key(weak):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        _check(debug=False, secret_key=weak, allowed_hosts=["onco.example"], **KEYS)


def test_production_requires_field_and_audit_keys():
    with pytest.raises(ImproperlyConfigured) as exc:
        _check(debug=False, secret_key=GOOD_KEY, allowed_hosts=["onco.example"])
    assert "ONCOCENTER_FIELD_KEY" in str(exc.value) and "ONCOCENTER_AUDIT_KEY" in str(exc.value)
    with pytest.raises(ImproperlyConfigured, match="ONCOCENTER_FIELD_KEY"):
        _check(
            debug=False,
            secret_key=GOOD_KEY,
            allowed_hosts=["onco.example"],
            field_key=GOOD_KEY,
            audit_key=AUDIT_KEY,
        )


def _production_env(**extra):
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "ONCOCENTER_DATA_DIR": "/tmp/oncocenter-prod-test",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "onco.example",
        "ONCOCENTER_FIELD_KEY": FIELD_KEY,
        "ONCOCENTER_AUDIT_KEY": AUDIT_KEY,
        **extra,
    }


def test_check_deploy_is_clean_with_production_settings():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(),
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_module_refuses_to_import_with_demo_values(monkeypatch):
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "ONCOCENTER_DEBUG": "1",
        "ONCOCENTER_DATA_DIR": "/tmp/oncocenter-prod-test",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "DEBUG" in result.stderr and "SECRET_KEY" in result.stderr


def test_database_url_parsing(tmp_path):
    assert database_from_url("", sqlite_path=tmp_path / "x.db")["ENGINE"].endswith("sqlite3")
    pg = database_from_url("postgres://u:p%40ss@db.local:5433/onco", sqlite_path=tmp_path)
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "onco",
        "u",
        "p@ss",
        "db.local",
        "5433",
    )
    with pytest.raises(ValueError, match="scheme"):
        database_from_url("mysql://x/y", sqlite_path=tmp_path)


def test_default_timezone_is_seoul():
    from config.settings import base

    assert base.TIME_ZONE == "Asia/Seoul" or "ONCOCENTER_TIME_ZONE" in __import__("os").environ
