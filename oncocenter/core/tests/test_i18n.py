"""Every UI string has a Korean translation, and the compiled catalogue matches the source."""

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO_FILES = sorted(ROOT.glob("*/locale/ko/LC_MESSAGES/django.po"))
STRING = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


def parse_po(path: Path) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = None
    fuzzy = False
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        match = STRING.match(line)
        if match:
            if match.group(1) == "msgid" and current:
                entries.append(current)
                current = {}
            key = match.group(1)
            current[key] = match.group(2)
            if fuzzy:
                current["fuzzy"] = "1"
                fuzzy = False
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
        elif not line.strip() and current:
            entries.append(current)
            current, key = {}, None
    return [e for e in entries if e.get("msgid")]


def test_there_are_catalogues():
    assert len(PO_FILES) >= 5


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parts[-5])
def test_every_string_translated_and_compiled(po):
    entries = parse_po(po)
    untranslated = [
        e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]")) or e.get("fuzzy")
    ]
    assert not untranslated, f"{po}: untranslated or fuzzy: {untranslated[:10]}"
    with po.with_suffix(".mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    compiled = {k for k in catalogue._catalog if isinstance(k, str) and k}
    missing = [
        e["msgid"]
        for e in entries
        if "msgid_plural" not in e and e["msgid"] not in compiled and "\\" not in e["msgid"]
    ]
    assert not missing, f"{po}: .mo is stale (run compilemessages): {missing[:5]}"


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parts[-5])
def test_plural_entries_have_as_many_forms_as_the_language(po):
    # Korean has one plural form; an extra msgstr[1] compiles with Django's
    # `--check-format` but plain `msgfmt --check` (and other tools) reject the catalogue.
    text = po.read_text(encoding="utf-8")
    nplurals = int(re.search(r"nplurals=(\d+)", text).group(1))
    extra = [e["msgid"] for e in parse_po(po) if f"msgstr[{nplurals}]" in e]
    assert not extra, f"{po}: more than {nplurals} plural form(s): {extra[:5]}"
