"""`oncocenter` console script: Django's management commands without DJANGO_SETTINGS_MODULE.

`oncocenter demo`, `oncocenter seed --size small|full`, `oncocenter audit-verify`, and every
other management command (`oncocenter migrate`, `oncocenter createsuperuser`, ...).
"""

from __future__ import annotations

import os
import sys

# Hyphenated names read better on a command line; Django modules cannot contain hyphens.
ALIASES = {
    "audit-verify": "audit_verify",
    "audit-checkpoint": "audit_checkpoint",
    "rotate-field-key": "rotate_field_key",
    "permissions-matrix": "permissions_matrix",
    "i18n-check": "i18n_check",
    "day-sessions": "day_sessions",
    "icd10cm-map": "icd10cm_map",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    argv[0] = "oncocenter"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
