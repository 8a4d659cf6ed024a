"""Every message a user can read exists in Korean too (oncocenter/core/i18ncheck.py).

One test per app, so a failure names the app; `oncocenter i18n-check APP` lists the same problems.
"""

from __future__ import annotations

import pytest
from django.apps import apps

from oncocenter.core.i18ncheck import app_dirs, unmarked_messages, untranslated

APP_LABELS = sorted(c.label for c in apps.get_app_configs() if c.name.startswith("oncocenter."))


@pytest.mark.parametrize("label", APP_LABELS)
def test_messages_for_people_are_marked_for_translation(label):
    (app_dir,) = app_dirs([label])
    found = unmarked_messages(app_dir)
    assert not found, "messages not marked for translation:\n" + "\n".join(map(str, found))


@pytest.mark.parametrize("label", APP_LABELS)
def test_every_marked_message_has_a_korean_translation(label):
    (app_dir,) = app_dirs([label])
    missing = untranslated(app_dir)
    assert not missing, "no Korean translation:\n" + "\n".join(map(str, missing))


def test_the_checker_catches_a_bare_message(tmp_path):
    module = tmp_path / "services.py"
    module.write_text(
        "from django.utils.translation import gettext as _\n"
        "def f(x):\n"
        "    raise ValidationFailed.single('dose', 'must be positive', x)\n"
        "def g(x):\n"
        "    raise Conflict(_('The plan is not approved.'), rule='plan')\n"
        "def h(x):\n"
        "    return FieldProblem('dose', f'above {x}')\n",
        encoding="utf-8",
    )
    found = unmarked_messages(tmp_path)
    assert [f.line for f in found] == [3, 7]


def test_the_checker_catches_a_missing_translation(tmp_path):
    (tmp_path / "views.py").write_text(
        "from django.utils.translation import gettext as _\n"
        "A = _('Patients')\n"
        "B = _('A sentence no catalog has, 7f3c')\n",
        encoding="utf-8",
    )
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "x.html").write_text(
        '{% load i18n %}{% trans "Another sentence nobody translated, 9b1d" %}',
        encoding="utf-8",
    )
    assert sorted(f.text for f in untranslated(tmp_path)) == [
        "A sentence no catalog has, 7f3c",
        "Another sentence nobody translated, 9b1d",
    ]
