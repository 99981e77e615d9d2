"""Which required documents are not on file."""
from __future__ import annotations

from rules.checks.context import CheckContext
from rules.model import Deficiency

def check_required_documents(ctx: CheckContext) -> list[Deficiency]:
    found: list[Deficiency] = []
    on_file = set(ctx.facts.documents)
    for requirement in ctx.ruleset.requirements_for(ctx.facts.merchant_type):
        if on_file.intersection(requirement.any_of):
            continue
        wanted = requirement.any_of[0]
        # One code for every absent document (a missing ID back included: its label names the side);
        # document_missing_back is kept for a back photo that shows the front, which needs a side classifier.
        found.append(ctx.deficiency("document_missing", wanted, evidence={"alternatives": list(requirement.any_of)}))
    return found
