"""The shape of the rule files, validated on load; everything that is policy rather than law lives here.

`ruleset.yaml` becomes `Policy`, `deficiencies.yaml` becomes `Catalogue`; `RuleSet` pairs
them with the version label that decisions record. Loading is in `rules.ruleset`.
"""
from __future__ import annotations

import string
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from documents.types import DocumentType
from rules.model import MerchantType


class _RuleModel(BaseModel):
    # Unknown keys are typos until proven otherwise; frozen because rule sets are cached and shared.
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- ruleset.yaml -------------------------------------------------------------------------------


class Requirement(_RuleModel):
    """Satisfied when any one of the listed documents is on file; the first is the one to ask for."""

    any_of: tuple[DocumentType, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _bare_document_type(cls, value: object) -> object:
        # A bare document type in YAML is the common case; `{any_of: [...]}` is for alternatives.
        return {"any_of": [value]} if isinstance(value, str) else value


class Thresholds(_RuleModel):
    min_validity_days: int = Field(ge=0)
    address_proof_max_age_days: int = Field(ge=1)
    address_match_min_score: float = Field(ge=0.0, le=1.0)
    min_field_confidence: float = Field(ge=0.0, le=1.0)
    min_blur_score: float = Field(ge=0.0)
    min_applicant_age: int = Field(ge=0)
    min_image_width: dict[DocumentType, int] = Field(default_factory=dict)
    # A name read with confidence that differs from the application's by at most this many characters
    # (substituted, dropped or added) may be a misread: doubt for staff, not a request.
    doubtful_name_mismatch_max_edits: int = Field(ge=0)
    # A whole card number this many digits off the application's, read from a small or blurred photo: doubt.
    doubtful_card_number_max_digits: int = Field(default=1, ge=0)
    # A reading a character off the application's, where the recogniser itself gave the application's
    # character at least this probability at that place (水 read, 永 at 0.47), agrees: rules.checks.alternatives.
    misread_alternative_min_probability: float = Field(default=0.15, gt=0.0, le=1.0)
    misread_alternative_max_characters: int = Field(default=1, ge=0)


class ValidityBand(_RuleModel):
    """Legal validity of a resident ID card for an age at issue (GB 11643 / 居民身份证法 art. 5)."""

    max_age_at_issue: int | None  # None: every older age
    years: int | None  # None: 长期 (no expiry)


SettlementKind = Literal["card", "corporate_account"]
NameSource = Literal["legal_name", "business_name"]


class SettlementPolicy(_RuleModel):
    kind: dict[MerchantType, SettlementKind]
    holder_must_match: dict[MerchantType, tuple[NameSource, ...]]
    card_number_min_length: int = Field(ge=1)
    card_number_max_length: int = Field(ge=1)
    # Some real Chinese debit cards fail Luhn; for these prefixes a failure is only a staff warning.
    luhn_failure_warning_prefixes: tuple[str, ...] = ()
    # A card-number reading with digits missing that agrees with the application's number on every digit it
    # has confirms the card when it holds at least this many digits; a shorter one goes to staff.
    partial_card_number_min_digits: int = Field(ge=1)

    @model_validator(mode="after")
    def _every_merchant_type(self) -> SettlementPolicy:
        for name in ("kind", "holder_must_match"):
            missing = set(MerchantType) - set(getattr(self, name))
            if missing:
                raise ValueError(f"{name} has no entry for {', '.join(sorted(missing))}")
        return self


class BusinessPolicy(_RuleModel):
    sole_trader_uscc_prefix: str = Field(min_length=1)


class AddressPolicy(_RuleModel):
    # Administrative words people and documents include or leave out at will (广东省 / 广东).
    ignore_words: tuple[str, ...] = ()


class Policy(_RuleModel):
    version: str = Field(min_length=1, pattern=r"^[0-9A-Za-z.\-]+$")
    required_documents: dict[MerchantType, tuple[Requirement, ...]]
    required_fields: dict[DocumentType, tuple[str, ...]] = Field(default_factory=dict)
    thresholds: Thresholds
    id_validity_by_age_at_issue: tuple[ValidityBand, ...] = Field(min_length=1)
    settlement: SettlementPolicy
    business: BusinessPolicy
    address: AddressPolicy = AddressPolicy()

    @field_validator("required_documents")
    @classmethod
    def _every_merchant_type(cls, value: dict[MerchantType, tuple[Requirement, ...]]):
        missing = set(MerchantType) - set(value)
        if missing:
            raise ValueError(f"no entry for {', '.join(sorted(missing))}")
        return value

    @field_validator("id_validity_by_age_at_issue")
    @classmethod
    def _bands_ascending(cls, bands: tuple[ValidityBand, ...]):
        bounds = [b.max_age_at_issue for b in bands]
        if bounds[-1] is not None or None in bounds[:-1]:
            raise ValueError("only the last band may (and must) have max_age_at_issue: null")
        if bounds[:-1] != sorted(bounds[:-1]):
            raise ValueError("bands must be in ascending max_age_at_issue order")
        return bands


# --- deficiencies.yaml --------------------------------------------------------------------------


class Effect(StrEnum):
    BLOCK = "block"  # blocks approval: the merchant uploads, or staff review if not merchant-fixable
    WARN = "warn"  # staff-only note on an otherwise approvable application
    REJECT = "reject"  # no upload can fix it


def _check_template(template: str) -> str:
    # Fails at load time (with a line number) rather than when a merchant is waiting for the message.
    try:
        list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"bad template {template!r}: {exc}") from None
    return template


class Localized(_RuleModel):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @field_validator("zh", "en")
    @classmethod
    def _well_formed(cls, value: str) -> str:
        return _check_template(value)

    def get(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


class Variant(_RuleModel):
    """A code in one situation its check names (the ID front sent twice, a bad number on the card
    rather than in the form): other words, and other routing where the situation calls for it."""

    merchant_fixable: bool | None = None
    effect: Effect | None = None
    message: Localized | None = None
    staff_note: str | None = Field(default=None, min_length=1)

    @field_validator("staff_note")
    @classmethod
    def _well_formed(cls, value: str | None) -> str | None:
        return value if value is None else _check_template(value)


class CodeEntry(_RuleModel):
    merchant_fixable: bool
    effect: Effect = Effect.BLOCK
    message: Localized
    # Wording specific to one document type, e.g. "your ID card expired" rather than "your ID card back".
    message_by_document: dict[DocumentType, Localized] = Field(default_factory=dict)
    staff_note: str = Field(min_length=1)
    # Codes on the same document that this one explains away (a blurred photo is also unreadable).
    supersedes: tuple[str, ...] = ()
    # Documents the merchant uploads along with the one the finding is about, because the message asks for
    # them too (an expired card back: the new card, front and back). The portal's form offers each.
    also_upload: dict[DocumentType, tuple[DocumentType, ...]] = Field(default_factory=dict)
    variants: dict[str, Variant] = Field(default_factory=dict)

    @field_validator("staff_note")
    @classmethod
    def _well_formed(cls, value: str) -> str:
        return _check_template(value)

    @model_validator(mode="after")
    def _fixable_only_if_blocking(self) -> CodeEntry:
        for name in (None, *self.variants):
            fixable, effect = self.routing(name)
            if fixable and effect != Effect.BLOCK:
                where = f"variant {name}: " if name else ""
                raise ValueError(f"{where}effect {effect.value} cannot be merchant_fixable")
        return self

    def variant(self, name: str | None) -> Variant:
        """The named variant; an unknown name (a check newer than the catalogue) is the code's own wording."""
        return self.variants.get(name, _NO_VARIANT) if name else _NO_VARIANT

    def routing(self, variant: str | None = None) -> tuple[bool, Effect]:
        chosen = self.variant(variant)
        fixable = self.merchant_fixable if chosen.merchant_fixable is None else chosen.merchant_fixable
        return fixable, self.effect if chosen.effect is None else chosen.effect


_NO_VARIANT = Variant()


class FallbackEntry(_RuleModel):
    message: Localized
    staff_note: str = Field(min_length=1)


class Catalogue(_RuleModel):
    document_labels: dict[DocumentType, Localized]
    field_labels: dict[str, Localized] = Field(default_factory=dict)
    codes: dict[str, CodeEntry]
    fallback: FallbackEntry

    @field_validator("document_labels")
    @classmethod
    def _every_document_type(cls, value: dict[DocumentType, Localized]):
        missing = set(DocumentType) - set(value)
        if missing:
            raise ValueError(f"no label for {', '.join(sorted(missing))}")
        return value

    def effect(self, code: str, variant: str | None = None) -> Effect:
        entry = self.codes.get(code)
        return entry.routing(variant)[1] if entry else Effect.BLOCK


# --- both ---------------------------------------------------------------------------------------


class RuleSet(_RuleModel):
    policy: Policy
    catalogue: Catalogue
    version_label: str  # declared version + short hash of the file bytes, e.g. "2026.11.1+3fa2b1c9"

    @property
    def version(self) -> str:
        return self.policy.version

    @property
    def thresholds(self) -> Thresholds:
        return self.policy.thresholds

    def min_width_by_document_type(self) -> dict[DocumentType, int]:
        return dict(self.policy.thresholds.min_image_width)

    def requirements_for(self, merchant_type: MerchantType) -> tuple[Requirement, ...]:
        return self.policy.required_documents[merchant_type]

