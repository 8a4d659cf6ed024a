"""Demo data of the aid associations: organisations and applications in every status.

Called by ``oncocenter.demo.seed`` with the shared context (fixed seed), after the pediatric
record's seeder. Rows are written with the ORM in bulk for speed; values are chosen to satisfy every
rule the services enforce (the database constraints check them again).
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from oncocenter.aid import vocab
from oncocenter.aid.models import AidApplication, AidOrganisation, AidStatusChange
from oncocenter.pediatrics.demo import children_of

ORGANISATIONS = [
    ("한국백혈병소아암협회", "Medical costs, living costs"),
    ("한국소아암재단", "Medical costs, transplant costs"),
    ("어린이재단 (초록우산)", "Living costs, education"),
    ("사랑의열매 사회복지공동모금회", "Medical costs"),
    ("생명보험사회공헌재단", "Transplant costs"),
]


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    children = children_of(ctx)
    social_workers = ctx.staff.get("social_worker", [])
    counts: dict[str, int] = {}

    # Aid: organisations and applications in every status.
    orgs = [AidOrganisation.objects.create(name=n, support_types=t) for n, t in ORGANISATIONS]
    docs = [d["code"] for d in vocab.aid_documents() if d["required"]]
    flows = [
        ["draft"],
        ["draft", "submitted"],
        ["draft", "submitted", "under_review"],
        ["draft", "submitted", "under_review", "granted"],
        ["draft", "submitted", "under_review", "granted", "disbursed"],
        ["draft", "submitted", "under_review", "rejected"],
        ["draft", "submitted", "documents_requested"],
    ]
    n_aid = 0
    for i, c in enumerate(children[1::2]):
        flow = flows[i % len(flows)]
        requested = Decimal(rng.choice([500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000]))
        granted = (
            (requested * Decimal(rng.choice(["0.5", "0.8", "1"]))).quantize(Decimal(1))
            if "granted" in flow
            else None
        )
        decided = (
            today - dt.timedelta(days=rng.randint(0, 700))
            if granted is not None or "rejected" in flow
            else None
        )
        a = AidApplication.objects.create(
            patient=c,
            organisation=orgs[i % len(orgs)],
            need=rng.choice(["medical_costs", "living_costs", "transport", "lodging"]),
            amount_requested=requested,
            amount_granted=granted,
            documents=docs if len(flow) > 1 else docs[:3],
            status=flow[-1],
            submitted_on=decided or (today - dt.timedelta(days=10)) if len(flow) > 1 else None,
            decided_on=decided,
            decision_note="Board decision" if decided else "",
            created_by=social_workers[0] if social_workers else None,
        )
        AidStatusChange.objects.bulk_create(
            [
                AidStatusChange(application=a, from_status=x, to_status=y)
                for x, y in itertools.pairwise(flow)
            ]
        )
        n_aid += 1
    counts["aid_applications"] = n_aid
    ctx.counts["aid"] = counts
