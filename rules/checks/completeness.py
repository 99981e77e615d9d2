"""Which required documents are not on file."""
from __future__ import annotations

from documents.types import DocumentType
from rules.checks.card_sides import BACK, FRONT, NOT_ID_CARD, SHOWS, shown_side
from rules.checks.context import CheckContext
from rules.model import Deficiency


def check_required_documents(ctx: CheckContext) -> list[Deficiency]:
    found: list[Deficiency] = []
    on_file = set(ctx.facts.documents)
    for requirement in ctx.ruleset.requirements_for(ctx.facts.merchant_type):
        if on_file.intersection(requirement.any_of):
            continue
        found.append(_missing(ctx, requirement.any_of[0], requirement.any_of))
    return found


def _missing(ctx: CheckContext, wanted: DocumentType, alternatives: tuple[DocumentType, ...]) -> Deficiency:
    evidence = {"alternatives": list(alternatives)}
    # With the front on file, the merchant is told which side is still to photograph. (A front slot
    # holding the back, or no ID card, gets its own request from rules.checks.card_sides.)
    if wanted == BACK and ctx.document(FRONT) is not None and shown_side(
            ctx.document(FRONT), ctx.thresholds.min_field_confidence) not in (SHOWS[BACK], NOT_ID_CARD):
        return ctx.deficiency("document_missing_back", BACK, evidence=evidence)
    return ctx.deficiency("document_missing", wanted, evidence=evidence)
