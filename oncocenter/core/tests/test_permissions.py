import pytest

from oncocenter.core.errors import NotPermitted
from oncocenter.core.permissions import PERMISSIONS, has_perm, permissions_of, require, roles_with
from oncocenter.core.roles import Role


def test_every_permission_maps_to_known_roles():
    for perm, roles in PERMISSIONS.items():
        assert roles, f"{perm} is granted to nobody"
        assert roles <= set(Role.values), perm


def test_every_role_has_some_permission():
    for role in Role.values:
        assert permissions_of([role]), role


def test_unknown_permission_is_a_programming_error():
    with pytest.raises(KeyError, match="unknown permission"):
        roles_with("patient.teleport")


def test_only_administrators_read_the_audit_trail():
    assert roles_with("audit.view") == {"administrator"}


@pytest.mark.django_db
def test_require_raises_for_missing_role(make_user):
    nurse = make_user("nurse")
    require(nurse, "patient.view")
    with pytest.raises(NotPermitted):
        require(nurse, "audit.view")


@pytest.mark.django_db
def test_inactive_user_has_no_permissions(make_user):
    user = make_user("administrator")
    user.is_active = False
    assert not has_perm(user, "audit.view")


def test_anonymous_has_no_permissions():
    from django.contrib.auth.models import AnonymousUser

    assert not has_perm(AnonymousUser(), "patient.search")


def test_committed_permission_matrix_is_current():
    from pathlib import Path

    from oncocenter.core.matrix import permission_matrix_markdown

    doc = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"
    assert doc.read_text(encoding="utf-8") == permission_matrix_markdown(), (
        "run: oncocenter permissions-matrix --write docs/permissions.md"
    )
