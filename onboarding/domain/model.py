"""The application aggregate. Plain Python: persistence maps onto these classes from outside."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from documents.types import OCR_DOCUMENT_TYPES, DocumentType
from onboarding.domain.requests import RequestStatus, SupplementaryRequest, UploadLink, item_key
from onboarding.domain.states import ApplicationState, IllegalTransition, can_transition
from rules.model import Decision, MerchantType, Outcome

_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread over the phone


def new_id(prefix: str, length: int = 10) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def audit_fields(application_id: str, *, at: datetime, actor: str, action: str, reason: str = "",
                 from_state: str | None = None, to_state: str | None = None,
                 details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The columns of one audit event (who, when, what, from → to, why), put together in one place for every
    writer: `Application.record` builds its `AuditEvent` from them, and the sweeps, which write thousands of
    events in one statement, insert them as rows (a mapped object each would cost more than the write)."""
    if at.tzinfo is None:
        raise ValueError("an audit event's time must be timezone-aware")
    if not actor or not action:
        raise ValueError("an audit event names who did what")
    return {"application_id": application_id, "at": at, "actor": actor, "action": action,
            "from_state": None if from_state is None else str(from_state),
            "to_state": None if to_state is None else str(to_state), "reason": reason, "details": dict(details or {})}


@dataclass(eq=False)
class AuditEvent:
    application_id: str
    at: datetime
    actor: str
    action: str
    from_state: str | None = None
    to_state: str | None = None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(eq=False)
class Document:
    application_id: str
    document_type: DocumentType
    sha256: str
    size_bytes: int
    media_type: str
    uploaded_at: datetime
    uploaded_by: str
    width: int | None = None
    height: int | None = None
    blur_score: float | None = None
    source_name: str | None = None
    superseded_at: datetime | None = None
    fields: dict[str, Any] | None = None  # {name: {"value": ..., "confidence": ...}}
    ocr_engine: str | None = None
    proposed_for: str | None = None  # a change request's: the application's own only once that change applies
    id: str = field(default_factory=lambda: new_id("DOC-"))

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None and self.proposed_for is None


@dataclass(eq=False)
class DecisionRecord:
    """One evaluation of the rules, with what produced it."""

    application_id: str
    outcome: Outcome
    deficiencies: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    rules_version: str
    ocr_engine: str
    fingerprint: str
    decided_at: datetime
    decided_by: str = "engine"
    id: int | None = None

    @classmethod
    def of(cls, application_id: str, decision: Decision, *, ocr_engine: str, fingerprint: str, decided_at: datetime,
           decided_by: str = "engine") -> DecisionRecord:
        """The one way a decision is recorded, by the checks or by staff: waived findings stay on the record as
        warnings marked `waived`, so staff can see what was accepted."""
        return cls(
            application_id=application_id, outcome=decision.outcome,
            deficiencies=[d.model_dump(mode="json") for d in decision.deficiencies],
            warnings=[w.model_dump(mode="json") for w in decision.warnings]
            + [{**w.model_dump(mode="json"), "waived": True} for w in decision.waived],
            rules_version=decision.rules_version, ocr_engine=ocr_engine, fingerprint=fingerprint[:64],
            decided_at=decided_at, decided_by=decided_by,
        )


@dataclass(eq=False)
class Application:
    merchant_type: MerchantType
    legal_name: str
    id_number: str
    phone: str
    email: str | None
    business_name: str
    business_address: str
    settlement_holder_name: str
    settlement_number: str
    settlement_bank: str
    device_model: str
    created_at: datetime
    state: ApplicationState = ApplicationState.SUBMITTED
    state_changed_at: datetime | None = None
    id: str = field(default_factory=lambda: new_id("APP-", 8))
    documents: list[Document] = field(default_factory=list)
    decisions: list[DecisionRecord] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)
    requests: list[SupplementaryRequest] = field(default_factory=list)
    links: list[UploadLink] = field(default_factory=list)
    waivers: list[dict[str, Any]] = field(default_factory=list)  # staff acceptances of findings
    submission_key: str | None = None  # set by bulk loads: the same content submitted again is this application
    version: int = 0

    def transition(self, target: ApplicationState, *, actor: str, reason: str, at: datetime) -> AuditEvent:
        if not can_transition(self.state, target):
            raise IllegalTransition(self.id, self.state, target)
        event = self.record(at=at, actor=actor, action="transition", from_state=self.state, to_state=target, reason=reason)
        self.state = target
        self.state_changed_at = at
        return event

    def record(self, *, at: datetime, actor: str, action: str, reason: str = "", from_state: str | None = None,
               to_state: str | None = None, details: dict[str, Any] | None = None) -> AuditEvent:
        event = AuditEvent(**audit_fields(self.id, at=at, actor=actor, action=action, reason=reason,
                                          from_state=from_state, to_state=to_state, details=details))
        self.events.append(event)
        return event

    def add_document(self, document: Document, *, actor: str, at: datetime) -> bool:
        """A new upload of a type replaces the previous one of that type, which stays for history.

        Returns False when the same file is already the current one of its type: nothing changes.
        """
        current = self.current_documents().get(document.document_type)
        if current is not None and current.sha256 == document.sha256:
            return False
        if current is not None:
            current.superseded_at = at
        document.application_id = self.id
        self.documents.append(document)
        self.record(at=at, actor=actor, action="document_added",
                    details={"document_type": str(document.document_type), "sha256": document.sha256})
        return True

    def current_documents(self) -> dict[DocumentType, Document]:
        return {d.document_type: d for d in self.documents if d.is_current}

    def propose_document(self, document: Document, change_id: str, *, actor: str, at: datetime) -> None:
        """A document sent with a change request: kept beside the current one until the change applies."""
        document.application_id, document.proposed_for = self.id, change_id
        self.documents.append(document)
        self.record(at=at, actor=actor, action="document_proposed",
                    details={"document_type": str(document.document_type), "sha256": document.sha256,
                             "change_request": change_id})

    def adopt_document(self, document: Document, *, actor: str, at: datetime) -> None:
        """A proposed document becomes the current one of its type (its change was applied)."""
        current = self.current_documents().get(document.document_type)
        if current is not None:
            current.superseded_at = at
        change_id, document.proposed_for = document.proposed_for, None
        self.record(at=at, actor=actor, action="document_added",
                    details={"document_type": str(document.document_type), "sha256": document.sha256,
                             "change_request": change_id})

    def documents_to_read(self) -> list[Document]:
        """The current documents that carry text to OCR (not the shop photos)."""
        return [d for t, d in self.current_documents().items() if t in OCR_DOCUMENT_TYPES]

    @property
    def latest_decision(self) -> DecisionRecord | None:
        return max(self.decisions, key=lambda d: (d.decided_at, d.id or 0), default=None)

    @property
    def open_request(self) -> SupplementaryRequest | None:
        return next((r for r in self.requests if r.is_open), None)

    def asks_nothing_new(self, items: list[dict[str, Any]]) -> bool:
        """The open round already asks for every document these items want: an upload that did not settle it
        (a wrong, blank or mismatching picture) is answered on the merchant's page, not with a new round."""
        request = self.open_request
        return request is not None and request.offers_all(items)

    def revise_open_request(self, items: list[dict[str, Any]], *, at: datetime, actor: str) -> None:
        request = self.open_request
        before = [(item_key(i), i.get("message_zh")) for i in request.open_items]
        satisfied, added = request.revise(items)
        if before != [(item_key(i), i.get("message_zh")) for i in request.open_items]:
            self.record(at=at, actor=actor, action="request_revised",
                        reason=", ".join(sorted({item_key(i)[0] for i in request.open_items})),
                        details={"round": request.round_number, "satisfied": satisfied, "added": added})

    def request_documents(self, items: list[dict[str, Any]], *, at: datetime, due_at: datetime,
                          actor: str) -> SupplementaryRequest:
        """Opens the next round. An open round is closed first: what the new round still asks for is
        superseded, everything else it asked for is satisfied and is not asked again."""
        previous = self.open_request
        wanted = {item_key(i) for i in items}
        if previous is not None:
            previous.close(RequestStatus.CANCELLED, at, wanted)
        request = SupplementaryRequest(
            application_id=self.id, round_number=len(self.requests) + 1, created_at=at,
            due_at=due_at,
            items=[{**i, "status": "open"} for i in items],
        )
        self.requests.append(request)
        self.record(at=at, actor=actor, action="request_opened", reason=", ".join(sorted(c for c, _ in wanted)),
                    details={"round": request.round_number, "due_at": request.due_at.isoformat()})
        return request

    def close_open_request(self, status: RequestStatus, *, at: datetime, actor: str, reason: str) -> None:
        request = self.open_request
        if request is None:
            return
        request.close(status, at)
        self.record(at=at, actor=actor, action=f"request_{status}", reason=reason,
                    details={"round": request.round_number})

    def issue_link(self, token_hash: str, *, at: datetime, expires_at: datetime,
                   sealed_token: str | None = None) -> UploadLink:
        link = UploadLink(application_id=self.id, token_hash=token_hash, created_at=at, expires_at=expires_at,
                          sealed_token=sealed_token)
        self.links.append(link)
        return link

    def revoke_links(self, *, at: datetime, actor: str, reason: str) -> int:
        live = [link for link in self.links if link.revoked_at is None]
        for link in live:
            link.revoked_at = at
        self.record(at=at, actor=actor, action="links_revoked", reason=reason, details={"count": len(live)})
        return len(live)

    def waive(self, code: str, document_type: str | None, *, actor: str, reason: str, at: datetime) -> None:
        """Staff accept a finding on the document as it is now; a new upload of that document lapses it."""
        document = self.current_documents().get(document_type) if document_type else None
        waiver = {"code": code, "document_type": document_type, "sha256": document.sha256 if document else None,
                  "by": actor, "reason": reason, "at": at.isoformat()}
        self.waivers = [*self.waivers, waiver]
        self.record(at=at, actor=actor, action="deficiency_waived", reason=reason,
                    details={"code": code, "document_type": document_type})

    def waiver_keys(self) -> set[tuple[str, str | None, str | None]]:
        return {(w["code"], w["document_type"], w["sha256"]) for w in self.waivers}
