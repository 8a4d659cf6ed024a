"""Bring apps' Korean catalogs up to date with their sources, keeping every known translation.

    .venv/bin/python scripts/i18n_sync.py [--ko TABLE.py] APP_LABEL [APP_LABEL ...]

For each app: runs `makemessages -l ko --no-obsolete` in the app folder (needs GNU gettext's
xgettext, a development tool: `apt-get install gettext`), fills each empty msgstr from the
translations that any app's catalog already had before the run (so a string moved from one app
to another keeps its Korean text) and from TABLE.py's `KO` dict, then compiles the .mo with polib
(`pip install polib`). Prints what is still untranslated; exits 1 if anything is.
"""

from __future__ import annotations

import argparse
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ko", help="a Python file defining KO = {msgid: Korean}")
    parser.add_argument("apps", nargs="+")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django
    import polib

    django.setup()
    from django.apps import apps

    known: dict[str, str] = {}
    for config in apps.get_app_configs():
        po_path = Path(config.path) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
        if config.name.startswith("oncocenter.") and po_path.exists():
            for entry in polib.pofile(str(po_path)):
                key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
                value = entry.msgstr or entry.msgstr_plural.get(0, "")
                if value and "fuzzy" not in entry.flags:
                    known.setdefault(key, value)
    if args.ko:
        known.update(runpy.run_path(args.ko)["KO"])
    missing = 0
    for label in args.apps:
        app_dir = Path(apps.get_app_config(label).path)
        (app_dir / "locale").mkdir(exist_ok=True)
        subprocess.run(  # noqa: S603 (a fixed command from this checkout)
            [
                str(ROOT / ".venv" / "bin" / "django-admin"),
                "makemessages",
                "-l",
                "ko",
                "--no-obsolete",
                "--no-location",
            ],
            cwd=app_dir,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
        )
        po_path = app_dir / "locale" / "ko" / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(po_path))
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.metadata["Language"] = "ko"
        po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        for entry in po:
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
            if entry.msgid_plural:
                if not entry.msgstr_plural.get(0):
                    value = known.get(key) or known.get(entry.msgid_plural)
                    if value:
                        entry.msgstr_plural = {0: value}
                if not entry.msgstr_plural.get(0):
                    missing += 1
                    print(f"untranslated in {label}: {entry.msgid!r}")
            else:
                if not entry.msgstr and key in known:
                    entry.msgstr = known[key]
                if not entry.msgstr:
                    missing += 1
                    print(f"untranslated in {label}: {entry.msgid!r}")
        po.save()
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
