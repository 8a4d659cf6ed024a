from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from oncocenter.core.permissions import active_role, has_perm, user_roles
from oncocenter.core.registry import registry
from oncocenter.core.roles import Role

SECTIONS = ("main", "centers", "radonc", "esophageal", "pediatric", "admin")


def shell(request: HttpRequest) -> dict[str, Any]:
    """Navigation the signed-in user may use, grouped by section, and their roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
    for item in sorted(registry.nav, key=lambda i: i.order):
        if not has_perm(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        nav.setdefault(item.section, []).append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "current": request.path.startswith(url) and url != "/",
            }
        )
    role_labels = dict(Role.choices)
    roles = [(r, role_labels.get(r, r)) for r in Role.values if r in user_roles(user)]
    current = active_role(request)
    return {
        "nav": nav,
        "my_roles": roles,
        "active_role": current,
        "active_role_label": role_labels.get(current, current),
    }
