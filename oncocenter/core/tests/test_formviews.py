import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.access import access_of
from oncocenter.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from oncocenter.core.forms import DomainForm
from oncocenter.core.formviews import FormPage, to, to_new

pytestmark = pytest.mark.django_db


class NoteForm(DomainForm):
    note = forms.CharField(label="Note", max_length=20)


class Row:
    def __init__(self, pk):
        self.pk = pk
        self.refreshed = False

    def refresh_from_db(self):
        self.refreshed = True


def _load(pk):
    if pk == 404:
        raise NotFound("no such row")
    return Row(pk)


def _render(request, obj, status, **bound):
    (key, form) = next(iter(bound.items()))
    return HttpResponse(f"{obj.pk} {status} {key} {form.errors.as_text()}", status=status)


PAGE = FormPage(render=_render, load=_load, done="aid:detail")


def _post(view, role="social_worker", data=None, **url):
    request = RequestFactory().post("/x/", data or {"note": "ok"})
    request.user = UserFactory(roles=[role])
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request, view(request, **url)


def _view(call, perm="aid.edit", **options):
    return PAGE.post(perm, NoteForm, "note_form", options.pop("success", "Saved."), **options)(call)


def test_success_redirects_with_the_url_arguments_and_flashes():
    seen = []

    @PAGE.post("aid.edit", NoteForm, "note_form", "Saved.")
    def save_note(p):
        seen.append((p.obj.pk, p.data["note"], p.by.pk))

    request, response = _post(save_note, pk=7)
    assert response.status_code == 302
    assert response["Location"] == "/support/aid/7/"
    assert seen == [(7, "ok", request.user.pk)]
    assert [str(m) for m in request._messages] == ["Saved."]
    assert save_note.__name__ == "save_note"


def test_bad_input_renders_the_page_again_with_the_form_and_422():
    _, response = _post(_view(lambda p: None), data={"note": "x" * 30}, pk=7)
    assert response.status_code == 422
    assert response.content.decode().startswith("7 422 note_form")


def test_a_refusal_goes_beside_the_field_and_a_conflict_is_409_after_a_refresh():
    def refuse(p):
        raise ValidationFailed([FieldProblem("note", "is not allowed")])

    _, response = _post(_view(refuse), pk=7)
    assert response.status_code == 422
    assert "is not allowed" in response.content.decode()

    loaded = []

    def conflict(p):
        loaded.append(p.obj)
        raise Conflict("The application is closed.")

    _, response = _post(_view(conflict, refresh=True), pk=7)
    assert response.status_code == 409
    assert loaded[0].refreshed


def test_done_can_name_the_new_row_or_an_index():
    new = _view(lambda p: Row(12), done=to_new("aid:detail"))
    assert _post(new, pk=7)[1]["Location"] == "/support/aid/12/"
    index = _view(lambda p: None, done=to("aid:index"))
    assert _post(index, pk=7)[1]["Location"] == "/support/aid/"


def test_the_row_is_found_before_the_form_is_read():
    called = []
    view = _view(lambda p: called.append(1))
    with pytest.raises(NotFound):
        _post(view, data={"note": "x" * 30}, pk=404)
    assert called == []


def test_access_is_declared_and_enforced_and_only_post_is_allowed():
    view = _view(lambda p: None)
    assert access_of(view) == "aid.edit"
    assert _post(view, role="nurse", pk=7)[1].status_code == 403
    request = RequestFactory().get("/x/")
    request.user = UserFactory(roles=["social_worker"])
    assert view(request, pk=7).status_code == 405


def test_a_page_without_a_destination_is_refused_when_declared():
    with pytest.raises(ValueError):
        FormPage(render=_render).post("aid.edit", NoteForm, "k", "x")
