"""The back office on a real socket over a real SQLite database; cases built through the domain and the same
decision path the checks use (record_decision), so rounds, links and messages are the real ones."""
from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from PIL import Image

from documents.types import DocumentType as D
from onboarding.bootstrap import Services, get_services
from onboarding.domain.model import Application, Document
from onboarding.domain.states import ApplicationState as S
from onboarding.service.search_index import index_application
from rules.messages import deficiency
from rules.model import Decision, Outcome

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery staple"
ACCOUNTS = {"rita": "reviewer", "otto": "ops", "ada": "admin", "rex": "reviewer"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@dataclass
class Launches:
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def __call__(self, application_id: str, from_step: str | None = None) -> None:
        self.calls.append((application_id, from_step))


def photo_bytes(seed: int, size: tuple[int, int] = (320, 200)) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def services(onboard_home, monkeypatch, clock) -> Services:
    from argon2 import PasswordHasher

    from onboarding.service import staff

    # Still argon2id, with small parameters: tests hash a few passwords each and must stay fast.
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(staff, "_hasher", lambda: cheap)
    monkeypatch.setattr(staff, "_decoy_hash", lambda: cheap.hash("decoy-password-x"))
    built = get_services()
    built.clock = clock
    built.uow()
    return built


@pytest.fixture
def accounts(services) -> dict[str, str]:
    from onboarding.service.staff import add_staff

    for username, role in ACCOUNTS.items():
        add_staff(services, username, role, PASSWORD, actor="staff:setup")
    return dict(ACCOUNTS)


@pytest.fixture
def launches() -> Launches:
    return Launches()


@pytest.fixture
def base_url(services, launches, accounts):
    from onboarding.backoffice.app import create_backoffice_app
    from onboarding.portal.server import serve_in_background

    with serve_in_background(create_backoffice_app(services, launches)) as url:
        yield url


@pytest.fixture
def login(base_url):
    """`login(username)` → an httpx client with the session cookie and X-CSRF-Token set; closed at the end."""
    clients = []

    def log_in(username: str, password: str = PASSWORD) -> httpx.Client:
        client = httpx.Client(base_url=base_url, timeout=30)
        clients.append(client)
        answer = client.post("/api/login", json={"username": username, "password": password})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return client

    yield log_in
    for client in clients:
        client.close()


@pytest.fixture
def anonymous(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@dataclass
class Case:
    application_id: str
    documents: dict[str, str]  # type → document id


def build_case(services: Services, *, state: S = S.NEEDS_DOCUMENTS, seed: int = 1, legal_name: str = "王昌亮",
               read_name: str = "王昌良", business_name: str = "台山市昌良小吃店", id_number: str = "440781197506032481",
               phone: str = "13800138000", settlement_number: str = "6222021234567890123",
               findings: list[str] | None = None, email: str | None = "wang@example.com",
               age_hours: float = 2) -> Case:
    """A small-micro application checked `age_hours` ago: with a name mismatch (needs_documents), an unreadable
    card number for staff (manual_review), nothing (approved), or the `findings` codes given."""
    now = services.clock()
    submitted = now - timedelta(hours=age_hours)
    application = Application(
        merchant_type="small_micro", legal_name=legal_name, id_number=id_number, phone=phone, email=email,
        business_name=business_name, business_address="广东省江门市台山市北陡镇沙咀村12号",
        settlement_holder_name=legal_name, settlement_number=settlement_number, settlement_bank="中国工商银行",
        device_model="P2", created_at=submitted, state_changed_at=submitted,
    )
    fields = {D.ID_CARD_FRONT: {"name": {"value": read_name, "confidence": 0.93},
                                "id_number": {"value": id_number, "confidence": 0.97}},
              D.BANK_CARD: {"card_number": {"value": settlement_number, "confidence": 0.95}}}
    ids = {}
    for n, document_type in enumerate((D.ID_CARD_FRONT, D.ID_CARD_BACK, D.BANK_CARD, D.STOREFRONT_PHOTO)):
        data = photo_bytes(seed * 10 + n)
        document = Document(application_id="", document_type=document_type, sha256=services.blobs.put(data),
                            size_bytes=len(data), media_type="image/jpeg", uploaded_at=submitted,
                            uploaded_by="merchant", width=320, height=200, blur_score=450.0,
                            fields=fields.get(document_type), ocr_engine="rapidocr 1.4.4")
        application.add_document(document, actor="merchant", at=submitted)
        ids[str(document_type)] = document.id
    application.record(at=submitted, actor="test", action="submitted", to_state="submitted")
    application.transition(S.CHECKING, actor="engine", reason="documents to check", at=submitted)
    with services.uow() as uow:
        uow.applications.add(application)
        index_application(services, uow, application)  # as submission does
        uow.commit()
    if state != S.CHECKING:
        _decide(services, application.id, state, findings, legal_name, read_name)
    return Case(application.id, ids)


def _decide(services: Services, application_id: str, state: S, findings, legal_name: str, read_name: str) -> None:
    from onboarding.service.checking import record_decision

    ruleset = services.ruleset
    codes = findings if findings is not None else {S.NEEDS_DOCUMENTS: ["name_mismatch"],
                                                   S.MANUAL_REVIEW: ["ocr_low_confidence"]}.get(state, [])
    items = []
    for code in codes:
        if code == "name_mismatch":
            items.append(deficiency(ruleset, code, D.ID_CARD_FRONT, "name",
                                    {"document": read_name, "application": legal_name}))
        elif code == "ocr_low_confidence":
            items.append(deficiency(ruleset, code, D.BANK_CARD, "card_number", {}, confidence=0.41,
                                    threshold=0.6, value="6222****0123"))
        else:
            items.append(deficiency(ruleset, code, D.ID_CARD_BACK))
    outcome = {S.NEEDS_DOCUMENTS: Outcome.NEEDS_DOCUMENTS, S.MANUAL_REVIEW: Outcome.MANUAL_REVIEW,
               S.APPROVED: Outcome.APPROVED, S.REJECTED: Outcome.REJECTED}[state]
    decision = Decision(outcome=outcome, deficiencies=items, rules_version=ruleset.version_label,
                        evaluated_on=services.clock().date())
    assert str(record_decision(services, application_id, decision, "test-fingerprint")) == state


def state_of(services: Services, application_id: str) -> str:
    with services.uow() as uow:
        return str(uow.applications.get(application_id).state)


@dataclass(frozen=True)
class Event:
    actor: str
    action: str
    from_state: str | None
    to_state: str | None
    reason: str
    details: dict


def events_of(services: Services, application_id: str, action: str) -> list[Event]:
    with services.uow() as uow:
        return [Event(e.actor, e.action, e.from_state, e.to_state, e.reason, dict(e.details))
                for e in uow.applications.get(application_id).events if e.action == action]


def outbox_of(services: Services, application_id: str) -> list[dict]:
    with services.uow() as uow:
        return uow.outbox.for_application(application_id)
