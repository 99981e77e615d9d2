"""Terminals and their deposits: the entities, their states and the changes each allows.

Which transactions activate a terminal, count towards its deposit or keep it from going dormant is decided
in `onboarding.domain.ledger_rules`, the one home of those rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from documents.types import DocumentType
from onboarding.domain.model import Application
from rules.deposit_policy import DepositPolicy, PaymentChannel, TransactionKind
from rules.model import MerchantType

__all__ = [
    "Binding", "BindingIncomplete", "Deposit", "DepositState", "LedgerError", "PaymentChannel", "Terminal",
    "TerminalState", "Transaction", "TransactionKind", "binding_for", "notice_key", "refund_key", "take_deposit",
]


class TerminalState(StrEnum):
    IN_STOCK = "in_stock"
    ASSIGNED = "assigned"
    SHIPPED = "shipped"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class DepositState(StrEnum):
    HELD = "held"
    REFUNDED = "refunded"
    FORFEITED = "forfeited"


class LedgerError(ValueError):
    """Bad input or a request the terminal/deposit state does not allow; nothing was changed."""


class BindingIncomplete(LedgerError):
    pass


def refund_key(application_id: str) -> str:
    """One refund per application, ever: the key the refund instruction is unique on."""
    return f"refund:{application_id}"


def notice_key(application_id: str, deposit_state: DepositState | str, channel: str) -> str:
    return f"deposit:{application_id}:{deposit_state}:{channel}"


class Transaction(NamedTuple):
    """One row of the ledger. A tuple: the sweep reads hundreds of thousands of them at a time."""

    txn_id: str
    terminal_sn: str
    occurred_at: datetime
    amount_fen: int
    kind: TransactionKind
    channel: PaymentChannel


@dataclass(frozen=True)
class Binding:
    """银发〔2021〕259号: serial number, merchant code, USCC (小微: principal's ID number), settlement
    account and install address, bound one-to-one when the terminal is activated."""

    serial_number: str
    merchant_code: str
    registration_number: str
    settlement_account: str
    install_address: str


def binding_for(application: Application, serial_number: str) -> Binding:
    """The binding a terminal will carry for this merchant.

    The application id is the merchant code until the acquirer issues its own; an approved
    application's fields can no longer change, so what is read here is what activation binds.
    """
    if application.merchant_type == MerchantType.SMALL_MICRO:
        registration = application.id_number
    else:
        licence = application.current_documents().get(DocumentType.BUSINESS_LICENSE)
        uscc = ((licence.fields or {}).get("uscc") or {}).get("value") if licence else None
        if not uscc:
            raise BindingIncomplete(
                f"application {application.id}: no USCC read from the business licence; "
                "a terminal cannot be bound without it")
        registration = uscc
    return Binding(serial_number=serial_number, merchant_code=application.id, registration_number=registration,
                   settlement_account=application.settlement_number, install_address=application.business_address)


@dataclass(eq=False)
class Terminal:
    serial_number: str
    model: str
    added_at: datetime
    state: TerminalState = TerminalState.IN_STOCK
    application_id: str | None = None
    assigned_at: datetime | None = None
    shipped_at: datetime | None = None
    activation_deadline: datetime | None = None  # shipped_at + the policy's activation window
    activation_flagged_at: datetime | None = None  # when staff were told it missed that deadline
    activated_at: datetime | None = None
    last_transaction_at: datetime | None = None
    suspended_at: datetime | None = None
    binding: Binding | None = None  # not read by the sweep, which never writes it
    bound_at: datetime | None = None  # the activation that made the binding effective
    gross_fen: int = 0  # all its transactions' amounts added up, whatever their kind (kept by import and void)
    ledger_revision: int = 0  # goes up whenever a batch adds or a void removes any of its transactions
    quarantined_at: datetime | None = None  # the sweep could not process it: staff must look (see reason)
    quarantine_reason: str | None = None

    def assign(self, application_id: str, at: datetime) -> None:
        if self.state != TerminalState.IN_STOCK:
            raise LedgerError(f"terminal {self.serial_number} is {self.state}, not in stock")
        self.state, self.application_id, self.assigned_at = TerminalState.ASSIGNED, application_id, at

    def release(self) -> None:
        """Back on the shelf: staff shipped a different unit to this merchant."""
        if self.state != TerminalState.ASSIGNED:
            raise LedgerError(f"terminal {self.serial_number} is {self.state}; only an assigned one goes back to stock")
        self.state, self.application_id, self.assigned_at = TerminalState.IN_STOCK, None, None

    def ship(self, application_id: str, binding: Binding, policy: DepositPolicy, at: datetime) -> None:
        if self.state != TerminalState.ASSIGNED or self.application_id != application_id:
            raise LedgerError(f"terminal {self.serial_number} is {self.state}, not assigned to {application_id}")
        self.state, self.shipped_at, self.binding = TerminalState.SHIPPED, at, binding
        self.activation_deadline = at + timedelta(days=policy.activation_window_days)

    def activate(self, at: datetime) -> None:
        """Its first qualifying sale, at `at`, makes the binding effective."""
        if self.state != TerminalState.SHIPPED:
            raise LedgerError(f"terminal {self.serial_number} is {self.state}, not shipped")
        self.state, self.activated_at, self.bound_at = TerminalState.ACTIVE, at, at

    def flag_activation_overdue(self, at: datetime) -> None:
        self.activation_flagged_at = at

    def suspend(self, at: datetime) -> None:
        if self.state != TerminalState.ACTIVE:
            raise LedgerError(f"terminal {self.serial_number} is {self.state}, not active")
        self.state, self.suspended_at = TerminalState.SUSPENDED, at

    def quarantine(self, reason: str, at: datetime) -> None:
        self.quarantined_at, self.quarantine_reason = at, reason

    def lift_quarantine(self) -> None:
        self.quarantined_at = self.quarantine_reason = None

    @property
    def quarantined(self) -> bool:
        return self.quarantined_at is not None


@dataclass(eq=False)
class Deposit:
    """Taken when the terminal ships; the terms are copied from the policy so later edits never change a deal."""

    application_id: str
    terminal_sn: str
    amount_fen: int
    threshold_fen: int
    window_days: int
    policy_version: str
    taken_at: datetime
    state: DepositState = DepositState.HELD
    window_starts_at: datetime | None = None  # the terminal's activation; None until then
    deadline: datetime | None = None  # window_starts_at + window_days
    qualifying_volume_fen: int = 0
    volume_as_of: datetime | None = None
    decided_at: datetime | None = None
    refund_idempotency_key: str | None = None
    volume_revision: int | None = None  # the terminal's ledger_revision the volume was counted on

    def open_window(self, activated_at: datetime) -> None:
        self.window_starts_at, self.deadline = activated_at, activated_at + timedelta(days=self.window_days)

    def record_volume(self, volume_fen: int, as_of: datetime, revision: int) -> None:
        self.qualifying_volume_fen, self.volume_as_of, self.volume_revision = volume_fen, as_of, revision

    def decide(self, outcome: DepositState, at: datetime) -> None:
        if self.state != DepositState.HELD:
            raise LedgerError(f"the deposit of {self.application_id} is already {self.state}")
        self.state, self.decided_at = outcome, at
        if outcome == DepositState.REFUNDED:
            self.refund_idempotency_key = refund_key(self.application_id)


def take_deposit(application_id: str, terminal_sn: str, policy: DepositPolicy, policy_version: str,
                 at: datetime) -> Deposit:
    return Deposit(application_id=application_id, terminal_sn=terminal_sn, amount_fen=policy.amount_fen,
                   threshold_fen=policy.threshold_fen, window_days=policy.window_days,
                   policy_version=policy_version, taken_at=at)
