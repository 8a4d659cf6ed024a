"""Navigation of social work."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import NavItem, registry


def register() -> None:
    registry.add_nav(
        NavItem(
            "support-social",
            _("Social work"),
            "socialwork:index",
            "socialwork.view",
            section="pediatric",
            order=70,
        )
    )
