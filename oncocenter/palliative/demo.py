"""Demo data of palliative care: a few referrals, one with bereavement follow-up.

Called by ``oncocenter.demo.seed`` with the shared context (fixed seed), after the pediatric
record's seeder. Rows are written with the ORM in bulk for speed; values are chosen to satisfy every
rule the services enforce (the database constraints check them again).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oncocenter.palliative.models import BereavementFollowUp, PalliativeReferral
from oncocenter.pediatrics.demo import children_of


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    children = children_of(ctx)
    counts: dict[str, int] = {}

    # Palliative care: a few referrals, one with bereavement follow-up.
    pall = []
    for i, c in enumerate(children[3::9][:5]):
        status = ["requested", "active", "active", "closed", "declined"][i % 5]
        ref = PalliativeReferral.objects.create(
            patient=c,
            referred_on=today - dt.timedelta(days=rng.randint(5, 200)),
            reason="Relapsed or refractory disease",
            status=status,
            goals_of_care="Comfort, time at home with family" if status != "requested" else "",
            symptom_plan="Pain: oral morphine; nausea: ondansetron" if status == "active" else "",
            advance_care_planning="Family meeting held; parents prefer home care"
            if status != "requested"
            else "",
            place_of_care="home" if status == "active" else "undecided",
            decline_reason="Family wishes to continue curative treatment"
            if status == "declined"
            else "",
        )
        pall.append(ref)
        if status == "closed" and c.deceased_on is None:
            c.deceased_on = today - dt.timedelta(days=30)
            c.save(update_fields=["deceased_on"])
            BereavementFollowUp.objects.create(
                referral=ref, planned_on=today + dt.timedelta(days=14), kind="call"
            )
    counts["palliative_referrals"] = len(pall)
    ctx.counts["palliative"] = counts
