"""Builders for the security tests: Services with chosen keys, applications in any state, raw rows."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

from onboarding.bootstrap import Services
from onboarding.settings import Settings

START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
ID_NUMBER = "440781197506032481"
CARD_NUMBER = "6222021234567890123"


def new_key() -> str:
    return Fernet.generate_key().decode()


def photo(seed: int) -> bytes:
    """A noisy JPEG: sharp enough for the intake gate, and every seed a different file."""
    import io

    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("RGB", (1200, 800), rng.randbytes(1200 * 800 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@dataclass(frozen=True)
class AuditRow:
    actor: str
    action: str
    reason: str
    at: datetime
    from_state: str | None
    to_state: str | None
    details: dict


@dataclass
class SecurityWorld:
    database_url: str
    home: Path
    keys: list[str] = field(default_factory=lambda: [new_key()])
    now: datetime = START

    def services(self, keys: list[str] | None = None, **settings) -> Services:
        services = Services(Settings(home=self.home, database_url=self.database_url, blob_store="local",
                                     secret_keys=self.keys if keys is None else keys, **settings))
        services.clock = lambda: self.now
        return services

    def application(self, services: Services, state: str = "needs_documents", *, docs: dict | None = None,
                    closed_days_ago: int = 0) -> str:
        """Submitted through the service (files through the intake gate), then moved to `state` directly."""
        from onboarding.service.application_input import parse_application
        from onboarding.service.submission import UploadedFile, submit_application
        from tests.support.applications import valid_application

        files = [UploadedFile(t, data) for t, data in (docs or {}).items()]
        application_id = submit_application(services, parse_application(valid_application()), files, actor="test")
        self.move(services, application_id, state, at=self.now - timedelta(days=closed_days_ago))
        return application_id

    def move(self, services: Services, application_id: str, state: str, *, at: datetime | None = None) -> None:
        from onboarding.domain.states import ApplicationState as S

        path = {"submitted": [], "checking": [S.CHECKING], "needs_documents": [S.CHECKING, S.NEEDS_DOCUMENTS],
                "manual_review": [S.CHECKING, S.MANUAL_REVIEW], "rejected": [S.CHECKING, S.REJECTED],
                "expired": [S.CHECKING, S.NEEDS_DOCUMENTS, S.EXPIRED], "withdrawn": [S.WITHDRAWN],
                "approved": [S.CHECKING, S.APPROVED]}[state]
        with services.uow() as uow:
            application = uow.applications.get(application_id, for_update=True)
            for target in path:
                application.transition(target, actor="test", reason="set-up", at=at or self.now)
            uow.commit()

    def raw(self, sql: str, **params) -> list[tuple]:
        """Plain SQL on a plain engine: what is really stored, with no TypeDecorator in between."""
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(sa.text(sql), params)]
        finally:
            engine.dispose()

    def events(self, services: Services, application_id: str, action: str) -> list[AuditRow]:
        with services.uow() as uow:
            return [AuditRow(e.actor, e.action, e.reason, e.at, e.from_state, e.to_state, e.details)
                    for e in uow.applications.get(application_id).events if e.action == action]


def run_checks(services: Services, application_id: str) -> str:
    """The onboarding flow's steps in order (flows/onboard.py), without Prefect."""
    from onboarding.service import checking, reading

    plan = checking.begin_check(services, application_id)
    if plan.skip_reason:
        return str(plan.state)
    reading.read_documents(services, plan.ocr_document_ids)
    return str(checking.decide(services, application_id, plan.fingerprint))


def with_every_sealed_value(world: SecurityWorld, services: Services) -> str:
    """An application whose ID number sits in every kind of encrypted place: its own columns, a document's
    fields, an OCR reading, a shipped terminal's binding; plus a sealed upload link."""
    from documents.types import DocumentType, OcrLine, OcrPass, OcrReading
    from onboarding.service.terminals import add_terminal, ship

    application_id = world.application(services, "approved", docs={DocumentType.STOREFRONT_PHOTO: photo(7)})
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        document = application.documents[0]
        document.fields = {"id_number": {"value": ID_NUMBER, "confidence": 0.97}}
        reading = OcrReading(engine="test-ocr 1", pipeline_version="p1",
                             passes=[OcrPass(name="full", lines=[OcrLine(text=f"公民身份号码 {ID_NUMBER}", confidence=0.9)])])
        uow.ocr_readings.add(document.sha256, document.document_type, reading, 0.1, world.now)
        application.issue_link("h" * 64, at=world.now, expires_at=world.now + timedelta(days=10),
                               sealed_token=services.sealer.seal("upload-token-1"))
        uow.commit()
    add_terminal(services, f"SN-{application_id}", "P2")
    ship(services, application_id)
    return application_id


def read_every_sealed_value(services: Services, application_id: str) -> dict:
    from documents.types import DocumentType

    with services.uow() as uow:
        application = uow.applications.get(application_id)
        document = application.documents[0]
        reading = uow.ocr_readings.get(document.sha256, DocumentType(document.document_type), "test-ocr 1", "p1")
        terminal = uow.ledger.terminal_for_application(application_id)
        return {"id_number": application.id_number, "card": application.settlement_number,
                "field": document.fields["id_number"]["value"], "ocr": reading.passes[0].lines[0].text,
                "binding": terminal.binding.registration_number,
                "link": services.sealer.open(application.links[0].sealed_token),
                "file": services.blobs.get(document.sha256) == photo(7)}


EVERY_SEALED_VALUE = {"id_number": ID_NUMBER, "card": CARD_NUMBER, "field": ID_NUMBER,
                      "ocr": f"公民身份号码 {ID_NUMBER}", "binding": ID_NUMBER, "link": "upload-token-1",
                      "file": True}


class Hooked:
    """The real blob store, with a hook run at one call: to stage a concurrent upload or purge there."""

    def __init__(self, store, method: str, hook) -> None:
        self._store, self._method, self._hook = store, method, hook

    def __getattr__(self, name):
        real = getattr(self._store, name)
        if name != self._method:
            return real

        def hooked(*args):
            result = real(*args)
            hook, self._hook = self._hook, None
            if hook:
                hook()
            return result

        return hooked
