"""`oncocenter bootstrap_admin --username NAME`: the first administrator of a new installation.

The Django admin is view-only and `createsuperuser` gives no role (and so no sign-in): this is
the one way in. The password is asked twice (or read from ONCOCENTER_ADMIN_PASSWORD with
--noinput) and checked by Django's password validators. Refused once an administrator exists.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oncocenter.accounts.models import User
from oncocenter.accounts.services import administrator_bootstrap
from oncocenter.core.errors import DomainError


class Command(BaseCommand):
    help = "Create the first administrator (only while there is none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--display-name-ko", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--noinput",
            action="store_true",
            help="Read the password from ONCOCENTER_ADMIN_PASSWORD instead of asking.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["noinput"]:
            password = os.environ.get("ONCOCENTER_ADMIN_PASSWORD", "")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            password_validation.validate_password(
                password, user=User(username=options["username"], email=options["email"])
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        try:
            user = administrator_bootstrap(
                username=options["username"],
                password=password,
                display_name_ko=options["display_name_ko"],
                email=options["email"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Administrator {user.username} created; sign in at /accounts/login/.")
