"""Fill empty Korean msgstr entries of .po files from a dict module, then compile.

Usage: python scripts/i18n_fill.py scripts/ko_foundation.py oncocenter/core oncocenter/patients ...
Needs `polib` (a development tool only: pip install polib). Reports untranslated strings left.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def main() -> int:
    import polib

    table = runpy.run_path(sys.argv[1])["KO"]
    missing = 0
    for app in sys.argv[2:]:
        path = Path(app) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path))
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.metadata["Language"] = "ko"
        po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        for entry in po:
            if entry.msgid_plural:
                value = table.get(entry.msgid_plural) or table.get(entry.msgid)
                if value:
                    entry.msgstr_plural = {0: value}
            elif not entry.msgstr and entry.msgid in table:
                entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            if (entry.msgid_plural and not entry.msgstr_plural.get(0)) or (
                not entry.msgid_plural and not entry.msgstr
            ):
                missing += 1
                print(f"untranslated in {path}: {entry.msgid!r}")
        po.save()
        po.save_as_mofile(str(path.with_suffix(".mo")))
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
