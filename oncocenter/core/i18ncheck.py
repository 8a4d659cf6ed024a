"""Checks that every message a user can read exists in Korean as well as English.

Two rules, run by `tests/test_i18n.py` and by `oncocenter i18n-check [app ...]`:

1. *Marked*: a message handed to a domain error (`FieldProblem`, `ValidationFailed`, `Conflict`,
   `NotFound`, `NotPermitted`, `Throttled`) or to a flash message (`messages.success(...)`) is
   never a bare string literal or f-string: it goes through gettext, so it can be translated.
2. *Translated*: every string marked for translation in an app's Python code and templates has a
   non-empty Korean entry in the compiled catalogs (`locale/ko/LC_MESSAGES/django.mo`).

Pure Python (Django's own template-to-gettext converter, no GNU gettext), so the test runs on any
machine that runs the suite.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation.template import templatize

GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
}
# Constructor (or method) name -> position and keyword of its message argument.
MESSAGE_ARGUMENT = {
    "FieldProblem": (1, "message"),
    "single": (1, "message"),  # ValidationFailed.single(field, message)
    "ValidationFailed": (1, "message"),
    "Conflict": (0, "message"),
    "NotFound": (0, "message"),
    "NotPermitted": (0, "message"),
    "Throttled": (0, "message"),
    "success": (1, "message"),  # django.contrib.messages
    "error": (1, "message"),
    "warning": (1, "message"),
    "info": (1, "message"),
}
SKIP_DIRS = {"migrations", "tests", "__pycache__", "locale", "static", "management"}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def _python_files(app_dir: Path) -> Iterator[Path]:
    for path in sorted(app_dir.rglob("*.py")):
        if not SKIP_DIRS.intersection(path.relative_to(app_dir).parts[:-1]):
            yield path


def _template_files(app_dir: Path) -> Iterator[Path]:
    yield from sorted((app_dir / "templates").rglob("*.html"))


def _func_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_plain_text(node: ast.expr) -> bool:
    """A literal the translator never sees: "text", f"text {x}", "a" + "b", "text %s" % x."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _is_plain_text(node.left)
    return False


def unmarked_messages(app_dir: Path) -> list[Finding]:
    """Rule 1: messages given to errors and flash messages as bare literals."""
    found: list[Finding] = []
    for path in _python_files(app_dir):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _func_name(node)
            if name not in MESSAGE_ARGUMENT:
                continue
            if name in {"success", "error", "warning", "info"} and not (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "messages"
            ):
                continue
            position, keyword = MESSAGE_ARGUMENT[name]
            arg: ast.expr | None = None
            if len(node.args) > position:
                arg = node.args[position]
            for kw in node.keywords:
                if kw.arg == keyword:
                    arg = kw.value
            if arg is not None and _is_plain_text(arg):
                found.append(Finding(str(path), node.lineno, ast.unparse(arg)[:120]))
    return found


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _python_msgids(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _func_name(node) not in GETTEXT_NAMES:
            continue
        if isinstance(node.func, ast.Attribute):
            continue  # e.g. some_object.gettext(): not Django's
        name = _func_name(node)
        args = [_literal(a) for a in node.args]
        if name.startswith("pgettext") and len(args) >= 2 and args[0] and args[1]:
            yield f"{args[0]}\x04{args[1]}", node.lineno
        elif (name.startswith("ngettext") and args and args[0]) or (args and args[0]):
            yield args[0], node.lineno


_LITERAL = r"u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_TEMPLATE_CALL = re.compile(
    rf"\b(gettext|pgettext|ngettext)\(({_LITERAL})(?:,\s*({_LITERAL}))?(?:,\s*[^)]*)?\)"
)


def _template_msgids(path: Path) -> Iterator[tuple[str, int]]:
    source = path.read_text(encoding="utf-8")
    if "{% load i18n" not in source and "i18n" not in source:
        return
    converted = templatize(source, origin=str(path))
    for line_no, line in enumerate(converted.splitlines(), start=1):
        for match in _TEMPLATE_CALL.finditer(line):
            kind, first, second = match.group(1), match.group(2), match.group(3)
            a = ast.literal_eval(first)
            if kind == "pgettext" and second:
                yield f"{a}\x04{ast.literal_eval(second)}", line_no
            else:
                yield a, line_no


def marked_msgids(app_dir: Path) -> dict[str, Finding]:
    """Every string an app marks for translation, with the first place it is marked."""
    ids: dict[str, Finding] = {}
    for path in _python_files(app_dir):
        for msgid, line in _python_msgids(path):
            ids.setdefault(msgid, Finding(str(path), line, msgid.split("\x04")[-1][:120]))
    for path in _template_files(app_dir):
        for msgid, line in _template_msgids(path):
            ids.setdefault(msgid, Finding(str(path), line, msgid.split("\x04")[-1][:120]))
    return ids


def untranslated(app_dir: Path, language: str = "ko") -> list[Finding]:
    """Rule 2: marked strings with no (or an empty) entry in the language's catalogs."""
    from django.utils.translation import trans_real

    catalog = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
    missing = []
    for msgid, where in sorted(marked_msgids(app_dir).items()):
        value = catalog.get(msgid)
        if value is None:
            value = catalog.get((msgid, 0))
        if not value:
            missing.append(where)
    return missing


def app_dirs(labels: list[str] | None = None) -> list[Path]:
    """The project's own app folders (optionally only these labels)."""
    from django.apps import apps

    dirs = []
    for config in apps.get_app_configs():
        if not config.name.startswith("oncocenter."):
            continue
        if labels and config.label not in labels:
            continue
        dirs.append(Path(config.path))
    return dirs
