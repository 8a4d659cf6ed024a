"""The small demo seeds esophagectomies, complications, pathology and response series that
satisfy every rule, at plausible rates."""

import pytest

from oncocenter.demo.seed import seed_demo
from oncocenter.surgery import recist, selectors
from oncocenter.surgery.models import Complication, Operation, PathologyReport, ResponseAssessment

pytestmark = pytest.mark.django_db


def test_small_demo_surgery_is_coherent():
    _created, counts = seed_demo(size="small")
    c = counts["surgery"]
    assert c["esophagectomies"] > 0 and c["pathology_reports"] > 0 and c["response_assessments"] > 0
    for comp in Complication.objects.select_related("operation"):
        assert comp.occurred_on >= comp.operation.operated_on
    for report in PathologyReport.objects.all():
        assert report.nodes_positive <= report.nodes_examined
    assert not Operation.objects.filter(diagnosis__isnull=True).exists()
    # Every stored follow-up category is what the rules compute from its lesions.
    for a in ResponseAssessment.objects.filter(
        criteria="recist11", baseline__isnull=False
    ).prefetch_related("lesions"):
        base = a.baseline
        prev = [f.sum_mm for f in base.followups.filter(assessed_on__lt=a.assessed_on)]
        r = recist.assess(
            lesions=[
                recist.Lesion(x.label, x.organ, x.diameter_mm, x.is_node) for x in a.lesions.all()
            ],
            baseline=[
                recist.Lesion(x.label, x.organ, x.diameter_mm, x.is_node)
                for x in base.lesions.all()
            ],
            previous_sums=prev,
        )
        assert r.overall_response == a.overall_response
    figures = selectors.quality_figures()
    assert figures and sum(f.esophagectomies for f in figures) == c["esophagectomies"]
