from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oncocenter.core.views import permission_required
from oncocenter.scheduling.models import Machine


@permission_required("machine.view")
def machines(request: HttpRequest) -> HttpResponse:
    rows = Machine.objects.prefetch_related("techniques").order_by("code")
    return render(request, "scheduling/machines.html", {"machines": rows})
