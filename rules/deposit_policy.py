"""Activation and deposit policy per device model, from `deposits.yaml`, validated on load.

Errors read like the other rule files': `rules/files/deposits.yaml:12: models.P2.amount_fen: ...`.
"""
from __future__ import annotations

import hashlib
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

# The file readers are shared with ruleset.yaml so every rule file fails the same way.
from rules.ruleset import RulesFileError, _parse, _read, default_rules_dir

DEPOSITS_FILE = "deposits.yaml"
HASH_LENGTH = 8


class TransactionKind(StrEnum):
    SALE = "sale"
    REFUND = "refund"
    REVERSAL = "reversal"
    VOID = "void"


class PaymentChannel(StrEnum):
    CARD_SWIPE = "card_swipe"
    CARD_CHIP = "card_chip"
    CARD_CONTACTLESS = "card_contactless"
    QR = "qr"


class UnknownDeviceModel(LookupError):
    def __init__(self, model: str, known: list[str]) -> None:
        super().__init__(f"no deposit policy for device model {model!r} (known: {', '.join(known) or 'none'})")
        self.model = model


class DepositPolicy(BaseModel):
    # Strict ints: a threshold of 10000.5 fen or "9900" is a typo, and money is never a float.
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount_fen: StrictInt = Field(ge=0)
    threshold_fen: StrictInt = Field(gt=0)
    window_days: StrictInt = Field(ge=1, le=3660)
    activation_min_amount_fen: StrictInt = Field(ge=1)
    activation_window_days: StrictInt = Field(ge=1, le=3660)
    qualifying_kinds: frozenset[TransactionKind] = Field(min_length=1)
    subtracting_kinds: frozenset[TransactionKind] = frozenset()
    qualifying_channels: frozenset[PaymentChannel] = Field(min_length=1)
    dormant_months: StrictInt = Field(ge=1, le=120)

    @model_validator(mode="after")
    def _kinds_do_not_overlap(self) -> "DepositPolicy":
        both = self.qualifying_kinds & self.subtracting_kinds
        if both:
            raise ValueError(f"{', '.join(sorted(both))} cannot both add to and subtract from the volume")
        return self


class _DepositsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    models: dict[str, DepositPolicy] = Field(min_length=1)


class DepositPolicies:
    def __init__(self, policies: dict[str, DepositPolicy], version_label: str) -> None:
        self._policies = dict(policies)
        self.version_label = version_label

    @property
    def models(self) -> list[str]:
        return sorted(self._policies)

    def items(self) -> list[tuple[str, DepositPolicy]]:
        return sorted(self._policies.items())

    def for_model(self, model: str) -> DepositPolicy:
        try:
            return self._policies[model]
        except KeyError:
            raise UnknownDeviceModel(model, self.models) from None


def load_deposit_policies(directory: Path | None = None) -> DepositPolicies:
    """Reads `deposits.yaml` from `directory` (default: the packaged rule files); cached by content."""
    directory = Path(directory).resolve() if directory else default_rules_dir()
    path = directory / DEPOSITS_FILE
    return _build(path, _read(path))


@lru_cache(maxsize=8)
def _build(path: Path, data: bytes) -> DepositPolicies:
    parsed = _parse(path, data, _DepositsFile)
    label = f"{parsed.version}+{hashlib.sha256(data).hexdigest()[:HASH_LENGTH]}"
    return DepositPolicies(parsed.models, label)


__all__ = [
    "DepositPolicies", "DepositPolicy", "PaymentChannel", "RulesFileError", "TransactionKind",
    "UnknownDeviceModel", "load_deposit_policies",
]
