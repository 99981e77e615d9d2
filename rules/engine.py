"""Facts in, decision out: runs every check, then turns what they found into an outcome.

Pure: no clock, no I/O. The same facts, rules and day always give the same decision,
with deficiencies in the same order (document type order, then code).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from documents.types import DocumentType
from rules.checks.address import check_address_match, check_address_proof_age
from rules.checks.business import check_license_names, check_uscc
from rules.checks.card_sides import check_card_sides, place_card_sides
from rules.checks.completeness import check_required_documents
from rules.checks.confidence import check_field_confidence, check_required_fields_read
from rules.checks.context import Check, CheckContext
from rules.checks.document_kind import check_document_kind
from rules.checks.identity import check_application_id_number, check_id_card_front
from rules.checks.other_applications import check_possible_duplicates
from rules.checks.quality import check_duplicates, check_image_size, check_sharpness
from rules.checks.settlement import check_card_number, check_card_photo, check_same_name
from rules.checks.validity import check_id_validity, check_validity_period
from rules.model import ApplicationFacts, Decision, Deficiency, Outcome
from rules.schema import Catalogue, Effect, RuleSet

CHECKS: tuple[Check, ...] = (
    check_application_id_number,
    check_required_documents,
    check_card_sides,
    check_document_kind,
    check_image_size,
    check_sharpness,
    check_duplicates,
    check_required_fields_read,
    check_field_confidence,
    check_id_card_front,
    check_id_validity,
    check_validity_period,
    check_uscc,
    check_license_names,
    check_card_number,
    check_card_photo,
    check_same_name,
    check_address_proof_age,
    check_address_match,
    check_possible_duplicates,
)

_DOCUMENT_ORDER = {document_type: index for index, document_type in enumerate(DocumentType)}


Waiver = tuple[str, str | None, str | None]  # code, document type, sha256 of that document (None: no document)


def evaluate(facts: ApplicationFacts, ruleset: RuleSet, today: date,
             waivers: Iterable[Waiver] = ()) -> Decision:
    """`waivers` are staff acceptances: a waived finding is kept for the record but blocks nothing.
    A waiver names the document's sha256, so it lapses when the merchant sends a different file."""
    facts = place_card_sides(facts, ruleset.thresholds.min_field_confidence)
    ctx = CheckContext(facts=facts, ruleset=ruleset, today=today)
    found = [item for check in CHECKS for item in check(ctx)]
    found = sorted(_without_duplicates(_without_superseded(found, ruleset.catalogue)), key=deficiency_order)
    catalogue = ruleset.catalogue
    waived_keys = set(waivers)
    waived = [d for d in found if _waiver_key(d, facts) in waived_keys]
    blocking = [d for d in found if catalogue.effect(d.code, d.variant) != Effect.WARN and d not in waived]
    warnings = [d for d in found if catalogue.effect(d.code, d.variant) == Effect.WARN and d not in waived]
    return Decision(
        outcome=outcome_for(blocking, catalogue),
        deficiencies=blocking,
        warnings=warnings,
        waived=waived,
        rules_version=ruleset.version_label,
        evaluated_on=today,
    )


def _waiver_key(item: Deficiency, facts: ApplicationFacts) -> Waiver:
    document = facts.documents.get(item.document_type) if item.document_type else None
    return item.code, item.document_type and str(item.document_type), document.sha256 if document else None


def outcome_for(deficiencies: list[Deficiency], catalogue: Catalogue) -> Outcome:
    if any(catalogue.effect(d.code, d.variant) == Effect.REJECT for d in deficiencies):
        return Outcome.REJECTED
    if any(d.merchant_fixable for d in deficiencies):
        # Staff-only items ride along so staff see them when the merchant's upload comes back.
        return Outcome.NEEDS_DOCUMENTS
    if deficiencies:
        return Outcome.MANUAL_REVIEW
    return Outcome.APPROVED


def deficiency_order(item: Deficiency) -> tuple[int, str, str]:
    # Application-level findings (no document) come first: they matter most.
    position = -1 if item.document_type is None else _DOCUMENT_ORDER.get(item.document_type, len(_DOCUMENT_ORDER))
    return position, item.code, item.field or ""


def _without_superseded(found: list[Deficiency], catalogue: Catalogue) -> list[Deficiency]:
    """Drops codes another finding on the same document already explains (blurred → also unreadable)."""
    codes_by_document: dict[DocumentType | None, set[str]] = {}
    for item in found:
        codes_by_document.setdefault(item.document_type, set()).add(item.code)

    def supersedes(code: str, other: str) -> bool:
        entry = catalogue.codes.get(code)
        return entry is not None and other in entry.supersedes

    kept = []
    for item in found:
        if item.document_type is not None:
            siblings = codes_by_document[item.document_type] - {item.code}
            # Mutual entries would drop both; then neither explains the other and both stay.
            if any(supersedes(c, item.code) and not supersedes(item.code, c) for c in siblings):
                continue
        kept.append(item)
    return kept


def _without_duplicates(found: list[Deficiency]) -> list[Deficiency]:
    seen: set[tuple[str, str | None, str | None]] = set()
    unique = []
    for item in found:
        key = (item.code, item.document_type, item.field)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
