"""Format won amounts: 1,200,000원."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def krw(value: Decimal | int | None) -> str:
    if value is None or value == "":
        return "—"
    return f"{int(value):,}원"
