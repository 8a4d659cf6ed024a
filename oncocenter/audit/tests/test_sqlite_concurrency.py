"""Two and more clients at once on a SQLite file (the demo's database): every read writes an audit
event, and none of them may fail with "database is locked" (WAL, a busy timeout and IMMEDIATE
write transactions, config/dburl.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.patients.tests.factories import PatientFactory

ROOT = Path(__file__).resolve().parents[3]

CLIENTS = """
import json, os, sys, threading
import django
django.setup()
from django.test import Client
from oncocenter.accounts.models import User
from oncocenter.audit.services import audit_verify

user = User.objects.get(username=sys.argv[1])
url = sys.argv[2]
threads, per_thread = int(sys.argv[3]), int(sys.argv[4])
statuses = []
lock = threading.Lock()

def run():
    # A server error becomes a 500 status here, as a browser would see it.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for _ in range(per_thread):
        code = client.get(url).status_code
        with lock:
            statuses.append(code)

workers = [threading.Thread(target=run) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
result = audit_verify()
print(json.dumps({"statuses": statuses, "verify": result.message(), "ok": result.ok}))
"""


@pytest.mark.django_db(transaction=True)
def test_concurrent_clients_on_a_sqlite_file_get_no_500(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite locking (PostgreSQL has its own concurrency tests)")
    user = UserFactory(roles=["nurse"])
    patient = PatientFactory()
    db_file = tmp_path / "concurrent.sqlite3"
    # The migrated test database, copied to a file (with its triggers) for a separate process.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(db_file)])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{db_file}",
        "ONCOCENTER_DATA_DIR": str(tmp_path / "data"),
    }
    threads, per_thread = 4, 15
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CLIENTS,
            user.username,
            f"/patients/{patient.mrn}/",
            str(threads),
            str(per_thread),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["statuses"]) == threads * per_thread
    assert set(result["statuses"]) == {200}, result["statuses"]
    assert result["ok"], result["verify"]
    assert "locked" not in done.stderr
