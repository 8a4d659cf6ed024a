import pytest

from oncocenter.demo.seed import seed_demo
from oncocenter.mdt.models import BoardCase, Recommendation
from oncocenter.oncology.models import Diagnosis, TnmStaging
from oncocenter.patients.models import Consent, Guardian
from oncocenter.trials.models import ScreeningEntry

pytestmark = pytest.mark.django_db


def test_small_demo_is_coherent_per_center():
    created, counts = seed_demo(size="small")
    assert created
    clinical = counts["clinical"]
    assert set(clinical) == {"radonc", "esophageal", "pediatric"}
    assert clinical["esophageal"]["stagings"] > 0
    assert clinical["pediatric"]["pediatric_iccc_groups"] >= 6
    assert clinical["pediatric"]["guardians"] > 0
    esophageal = Diagnosis.objects.filter(icd10_code__startswith="C15")
    assert esophageal.exists()
    assert TnmStaging.objects.filter(site="esophagus").exists()
    assert not Diagnosis.objects.filter(
        iccc_group__isnull=False, patient__birth_date__lt="1990-01-01"
    ).exists()
    assert Guardian.objects.exists() and Consent.objects.filter(given_by="assent").exists()
    assert BoardCase.objects.filter(meeting__board_type__code="esophageal").exists()
    assert Recommendation.objects.exists() and ScreeningEntry.objects.exists()
