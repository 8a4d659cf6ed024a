import factory

from oncocenter.trials.models import Study


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    code = factory.Sequence(lambda n: f"KCCH-NB-{n:03d}")
    title = "High-risk neuroblastoma induction"
    phase = "II"
    target_diseases = "Neuroblastoma"
    min_age_years = 1
    max_age_years = 21
    diagnosis_code_prefixes = ["C74", "C47", "C48.0"]
    stage_groups = []
    max_ecog = 2
    excluded_prior_therapies = ["radiotherapy"]
    arms = ["A", "B"]
