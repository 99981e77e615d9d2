"""Terminals and their deposits: the entities, their states and the changes staff and shipping make.

Which transactions activate a terminal, count towards its deposit or keep it awake is decided by the sweep,
set-based, from the rules in `onboarding.adapters.ledger_rules_sql` (their one home).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from documents.types import DocumentType
from onboarding.domain.model import Application
from rules.deposit_policy import DepositPolicy, PaymentChannel, TransactionKind
from rules.model import MerchantType

__all__ = [
    "Binding", "BindingIncomplete", "Deposit", "DepositState", "LedgerError", "PaymentChannel", "Terminal",
    "TerminalState", "TransactionKind", "binding_for", "notice_key", "refund_key", "take_deposit",
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
    binding: Binding | None = None
    bound_at: datetime | None = None  # the activation that made the binding effective
    gross_fen: int = 0  # all its transactions' amounts added up, whatever their kind (kept by import and void)
    largest_fen: int = 0  # its largest transaction (kept by import and void)
    quarantined_at: datetime | None = None  # the sweep cannot apply the rules to it: staff must look (see reason)
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


def take_deposit(application_id: str, terminal_sn: str, policy: DepositPolicy, policy_version: str,
                 at: datetime) -> Deposit:
    return Deposit(application_id=application_id, terminal_sn=terminal_sn, amount_fen=policy.amount_fen,
                   threshold_fen=policy.threshold_fen, window_days=policy.window_days,
                   policy_version=policy_version, taken_at=at)
