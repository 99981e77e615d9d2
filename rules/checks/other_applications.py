"""Findings about other applications: the same person, shop, card or image seen in another application."""
from __future__ import annotations

from rules.checks.context import CheckContext
from rules.model import Deficiency


def check_possible_duplicates(ctx: CheckContext) -> list[Deficiency]:
    """One staff-only finding naming every other application and what they share."""
    others = sorted(ctx.facts.possible_duplicates, key=lambda d: d.application_id)
    if not others:
        return []
    named = "; ".join(f"{d.application_id} (same {', '.join(sorted(d.matched_on))})" for d in others)
    return [ctx.deficiency("possible_duplicate", evidence={
        "others": [{"application_id": d.application_id, "matched_on": sorted(d.matched_on)} for d in others]},
        others=named)]
