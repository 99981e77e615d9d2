"""Change requests: a merchant's new phone, e-mail, business address or settlement account.

A change takes effect only when everything its fields need is in: a one-time code sent to a new contact
and entered, the new documents read and checked by the same rules as at onboarding, and a staff approval
where the rule files ask for one. Until then the application keeps its details; after, the old ones stay
on the change request, for history.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from onboarding.domain.model import new_id


class ChangeState(StrEnum):
    AWAITING_MERCHANT = "awaiting_merchant"  # a code to enter or a document to send
    CHECKING = "checking"  # new documents in: to be read and checked
    AWAITING_APPROVAL = "awaiting_approval"  # checked; staff decide
    APPLIED = "applied"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_CHANGE_STATES = frozenset({ChangeState.AWAITING_MERCHANT, ChangeState.CHECKING, ChangeState.AWAITING_APPROVAL})
CODE_DIGITS = 6


class ChangeRefused(ValueError):
    """The change cannot be made or advanced as asked; nothing changed."""


class CodeRefused(ChangeRefused):
    pass


def _code_hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def relevant_findings(findings: list[dict[str, Any]], document_types: set[str],
                      refusing_codes: frozenset[str]) -> list[dict[str, Any]]:
    """What a change answers for: findings on the documents it brings, and those that refuse it outright.
    Anything else the rules say about the application (an ID card expiring since) is not this change's."""
    return [f for f in findings if f.get("document_type") in document_types or f["code"] in refusing_codes]


@dataclass(eq=False)
class ChangeRequest:
    application_id: str
    created_at: datetime
    created_by: str
    expires_at: datetime
    proposed: dict[str, Any]  # field → new value (settlement_account: {holder_name, number, bank_name})
    needs_codes: list[str]  # contact fields whose new value must be confirmed by a code
    needs_documents: list[str]  # document types the change must bring
    needs_approval: bool
    policy_version: str
    changes_settlement: bool = False  # while open, the deposit refund waits (it would go to the old account)
    state: str = ChangeState.AWAITING_MERCHANT
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)  # field → {salt, hash, expires_at, …}
    documents: dict[str, str] = field(default_factory=dict)  # document type → id of the document proposed
    check_pending: bool = False  # documents arrived since the last check
    findings: list[dict[str, Any]] = field(default_factory=list)  # of the last check, relevant ones only
    rules_version: str | None = None
    checked_at: datetime | None = None
    previous: dict[str, Any] | None = None  # the values the change replaced, once applied
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str = ""
    id: str = field(default_factory=lambda: new_id("CHG-"))

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CHANGE_STATES

    @property
    def fields(self) -> list[str]:
        return sorted(self.proposed)

    # ---- one-time codes ------------------------------------------------------------------------

    def codes_pending(self) -> list[str]:
        return [f for f in self.needs_codes if not (self.codes.get(f) or {}).get("verified_at")]

    def issue_code(self, contact_field: str, at: datetime, *, minutes: int, max_sends: int) -> str:
        """A fresh code for one new contact; any earlier one for it stops working."""
        self._require_open()
        if contact_field not in self.codes_pending():
            raise CodeRefused(f"change {self.id}: no code is wanted for {contact_field}")
        sends = (self.codes.get(contact_field) or {}).get("sends", 0)
        if sends >= max_sends:
            raise CodeRefused(f"change {self.id}: {max_sends} codes were sent for {contact_field} already; "
                              "start a new change request")
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        salt = secrets.token_hex(8)
        self.codes = {**self.codes, contact_field: {
            "salt": salt, "hash": _code_hash(salt, code), "expires_at": (at + timedelta(minutes=minutes)).isoformat(),
            "attempts": 0, "sends": sends + 1, "verified_at": None}}
        return code

    def enter_code(self, code: str, at: datetime, *, max_attempts: int) -> str:
        """Confirms the contact whose live code this is; returns that field. A wrong code counts against
        every code still pending, so guessing across two contacts is no cheaper."""
        self._require_open()
        pending = self.codes_pending()
        if not pending:
            raise CodeRefused(f"change {self.id}: no code is waiting to be entered")
        code = code.strip()
        live = {f: c for f in pending if (c := self.codes.get(f)) and c["attempts"] < max_attempts
                and at < datetime.fromisoformat(c["expires_at"])}
        if not live:
            raise CodeRefused("the code has expired or was entered wrongly too often; ask for a new code")
        for contact_field, entry in live.items():
            if code.isdigit() and hmac.compare_digest(entry["hash"], _code_hash(entry["salt"], code)):
                self.codes = {**self.codes, contact_field: {**entry, "verified_at": at.isoformat()}}
                return contact_field
        self.codes = {**self.codes, **{f: {**c, "attempts": c["attempts"] + 1} for f, c in live.items()}}
        raise CodeRefused("the code is not right; check the latest message and try again")

    # ---- documents and checks ------------------------------------------------------------------

    def propose_document(self, document_type: str, document_id: str) -> str | None:
        """Returns the id of the proposal this one replaces, if any."""
        self._require_open()
        if document_type not in self.needs_documents:
            raise ChangeRefused(f"change {self.id} does not take a {document_type}")
        replaced = self.documents.get(document_type)
        self.documents = {**self.documents, document_type: document_id}
        self.check_pending = True
        self.findings = [f for f in self.findings if f.get("document_type") != document_type]
        return replaced

    def documents_wanted(self) -> list[str]:
        """Documents still to come: missing, or sent and found wanting in a way the merchant can fix."""
        fixable = {f.get("document_type") for f in self.findings if f.get("merchant_fixable") and not f.get("warning")}
        return [t for t in self.needs_documents if t not in self.documents or t in fixable]

    def record_check(self, findings: list[dict[str, Any]], rules_version: str, at: datetime,
                     refusing_codes: frozenset[str]) -> None:
        self.findings, self.rules_version, self.checked_at, self.check_pending = findings, rules_version, at, False
        refusing = [f for f in findings if f["code"] in refusing_codes]
        if refusing:
            self.close(ChangeState.REFUSED, actor="engine", at=at, reason=", ".join(sorted({f["code"] for f in refusing})))

    def next_state(self) -> str:
        """Where an open change stands given what is in; `applied` means nothing blocks applying it."""
        if not self.is_open:
            return self.state
        if self.documents_wanted() or self.codes_pending():
            return ChangeState.AWAITING_MERCHANT
        if self.check_pending:
            return ChangeState.CHECKING
        if self.needs_approval or any(not f.get("warning") for f in self.findings):  # staff-only findings: staff
            return ChangeState.AWAITING_APPROVAL
        return ChangeState.APPLIED

    # ---- endings -------------------------------------------------------------------------------

    def close(self, state: ChangeState, *, actor: str, at: datetime, reason: str,
              previous: dict[str, Any] | None = None) -> None:
        self._require_open()
        self.state, self.decided_at, self.decided_by, self.reason = state, at, actor, reason
        if previous is not None:
            self.previous = previous

    def _require_open(self) -> None:
        if not self.is_open:
            raise ChangeRefused(f"change {self.id} is {self.state}")
