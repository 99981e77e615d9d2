"""What every check sees: the facts, the rules and the day; plus the small lookups they all need."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from documents.types import DocumentType, ExtractedField
from rules.messages import deficiency
from rules.model import ApplicationFacts, Deficiency, DocumentFacts
from rules.schema import RuleSet, Thresholds


@dataclass(frozen=True)
class CheckContext:
    facts: ApplicationFacts
    ruleset: RuleSet
    today: date

    @property
    def thresholds(self) -> Thresholds:
        return self.ruleset.policy.thresholds

    def document(self, document_type: DocumentType) -> DocumentFacts | None:
        return self.facts.documents.get(document_type)

    def value(self, document_type: DocumentType, field: str) -> str | None:
        """A field's text if it was read with enough confidence to act on, else None.

        Low-confidence readings go to staff (ocr_low_confidence); asking the merchant to
        fix a "mismatch" that OCR invented would send them chasing nothing.
        """
        extracted = self.extracted(document_type, field)
        if extracted is None or extracted.value is None or not extracted.value.strip():
            return None
        if extracted.confidence < self.thresholds.min_field_confidence:
            return None
        return extracted.value.strip()

    def confidence(self, document_type: DocumentType, field: str) -> float | None:
        extracted = self.extracted(document_type, field)
        return extracted.confidence if extracted else None

    def extracted(self, document_type: DocumentType, field: str) -> ExtractedField | None:
        """The field as extraction left it, whatever its confidence."""
        document = self.document(document_type)
        return document.fields.get(field) if document else None


    def deficiency(
        self,
        code: str,
        document_type: DocumentType | None = None,
        field: str | None = None,
        evidence: dict[str, Any] | None = None,
        *,
        variant: str | None = None,
        **params: Any,
    ) -> Deficiency:
        params.setdefault("today", self.today)
        return deficiency(self.ruleset, code, document_type, field, evidence, variant=variant, **params)


Check = Callable[[CheckContext], list[Deficiency]]
