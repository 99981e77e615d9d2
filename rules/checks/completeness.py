"""Which required documents are not on file."""
from __future__ import annotations

from documents.types import DocumentType
from rules.checks.context import CheckContext
from rules.model import Deficiency

# A missing back is asked for by name when its front is on file: the merchant knows
# which photo to take, and staff see that half the card arrived.
BACK_SIDE_OF = {DocumentType.ID_CARD_BACK: DocumentType.ID_CARD_FRONT}


def check_required_documents(ctx: CheckContext) -> list[Deficiency]:
    found: list[Deficiency] = []
    on_file = set(ctx.facts.documents)
    for requirement in ctx.ruleset.requirements_for(ctx.facts.merchant_type):
        if on_file.intersection(requirement.any_of):
            continue
        wanted = requirement.any_of[0]
        alternatives = list(requirement.any_of)
        if len(alternatives) == 1 and BACK_SIDE_OF.get(wanted) in on_file:
            found.append(ctx.deficiency("document_missing_back", wanted, evidence={"front": BACK_SIDE_OF[wanted]}))
        else:
            found.append(ctx.deficiency("document_missing", wanted, evidence={"alternatives": alternatives}))
    return found
