"""Demo data of social work: a case for about one child in three, with assessment and intervention.

Called by ``oncocenter.demo.seed`` with the shared context (fixed seed), after the pediatric
record's seeder. Rows are written with the ORM in bulk for speed; values are chosen to satisfy every
rule the services enforce (the database constraints check them again).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oncocenter.pediatrics.demo import children_of
from oncocenter.socialwork.models import NeedsAssessment, SocialCase, SocialIntervention


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    children = children_of(ctx)
    social_workers = ctx.staff.get("social_worker", [])
    counts: dict[str, int] = {}

    # Social work: a case for about one child in three, spread over the social workers.
    n_cases = 0
    if social_workers:
        levels = ["none", "low", "moderate", "high"]
        for i, c in enumerate(children[::3]):
            case = SocialCase.objects.create(
                patient=c,
                social_worker=social_workers[i % len(social_workers)],
                opened_on=today - dt.timedelta(days=rng.randint(10, 300)),
            )
            NeedsAssessment.objects.create(
                case=case,
                assessed_on=case.opened_on,
                levels={
                    d: rng.choice(levels)
                    for d in ("financial", "housing", "schooling", "psychological")
                },
            )
            SocialIntervention.objects.create(
                case=case,
                domain="financial",
                description="Aid association application",
                started_on=case.opened_on,
                outcome=rng.choice(["pending", "achieved", "partial"]),
                completed_on=None,
            )
            n_cases += 1
        SocialIntervention.objects.exclude(outcome="pending").update(completed_on=today)
    counts["social_cases"] = n_cases
    ctx.counts["socialwork"] = counts
