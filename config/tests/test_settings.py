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
    exec(compile(source.split("check_production(debug=DEBUG")[0], spec.origin, "exec"), namespace)
    sys.modules.pop("prod_check", None)
    return namespace["check_production"](**kwargs)


GOOD_KEY = "k" * 50


def test_production_refuses_debug():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        _check(debug=True, secret_key=GOOD_KEY, allowed_hosts=["onco.example"])


def test_production_refuses_demo_key():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        _check(debug=False, secret_key=DEMO_SECRET_KEY, allowed_hosts=["onco.example"])


def test_production_refuses_no_hosts():
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        _check(debug=False, secret_key=GOOD_KEY, allowed_hosts=[])


def test_production_accepts_safe_settings():
    _check(debug=False, secret_key=GOOD_KEY, allowed_hosts=["onco.example"])


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
