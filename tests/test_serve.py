"""`oncocenter serve`: refuses unapplied migrations, then serves through gunicorn with compressed,
hashed static files under a long immutable cache (a real server process, SQLite)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        ONCOCENTER_DATA_DIR=str(tmp_path),
        # Production settings refuse weak or shared keys (issue 17); these are test-only.
        SECRET_KEY="serve-test-secret-" + "abcdefghijklmnopqrstuvwxyz0123456789",
        ONCOCENTER_FIELD_KEY="serve-test-field-" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        ONCOCENTER_AUDIT_KEY="serve-test-audit-" + "zyxwvutsrqponmlkjihgfedcba9876543210",
        # Plain HTTP on the loopback: the TLS redirect belongs to the proxy in front.
        ONCOCENTER_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1",
        ONCOCENTER_ACCESS_LOG="/dev/null",
    )
    return env


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, **headers: str):
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)


def test_serve_refuses_unapplied_migrations(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "oncocenter", "serve", "--dry-run"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "Migrations are not applied" in done.stderr


def test_serve_runs_gunicorn_with_hashed_compressed_static(tmp_path):
    port = _port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oncocenter",
            "serve",
            "--migrate",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if _get(f"{base}/healthz").status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.5)
        login = _get(f"{base}/accounts/login/").read().decode()
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', login)
        assert css, "stylesheet without a hashed name"
        response = _get(base + css.group(1), **{"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=315360000" in response.headers["Cache-Control"]
        assert "gunicorn" in response.headers.get("Server", "")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
