"""URLs for the error-page tests: the real site plus views that raise each domain error."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_patterns
from oncocenter.core.errors import Conflict, FieldProblem, NotFound, NotPermitted, ValidationFailed


def _raiser(exc: Exception):
    def view(request: HttpRequest) -> HttpResponse:
        raise exc

    return view


urlpatterns = [
    path("raise/forbidden/", _raiser(NotPermitted("no", permission="rt.plan.approve"))),
    path(
        "raise/credential/",
        _raiser(NotPermitted("Signing needs a current radiation oncology specialist credential.")),
    ),
    path("raise/not-found/", _raiser(NotFound("Course 99 does not exist."))),
    path("raise/http404/", _raiser(Http404("gone"))),
    path("raise/conflict/", _raiser(Conflict("The plan is not approved.", rule="plan_approved"))),
    path(
        "raise/invalid/",
        _raiser(
            ValidationFailed(
                [FieldProblem("dose_per_fraction_gy", "must be positive", -2, label="Dose/fx")]
            )
        ),
    ),
    path("raise/crash/", _raiser(RuntimeError("a bug"))),
    *site_patterns,
]
