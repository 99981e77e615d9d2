"""An embedded-default installation in a folder: wiring it in-process, seeding it, and photographing its state."""
from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from documents.types import DocumentType
from onboarding.bootstrap import Services
from onboarding.settings import Settings
from tests.support.applications import valid_application
from tests.support.image_bytes import clean_png

SEED_IMAGE_SEED = 4242  # differs from every image the hostile corpus uses, so its blob is never shared


def services_for(home: Path, database_url: str | None = None, **settings: object) -> Services:
    """Services for `home` (its SQLite database unless `database_url`), whatever ONBOARD_* the environment holds."""
    return Services(Settings(home=home, database_url=database_url, blob_store="local", **settings))


def database_path(home: Path) -> Path:
    return home.resolve() / "onboard.db"


def seed_one_application(home: Path) -> str:
    """One submitted application with one stored photo, so "nothing changed" is not trivially "still empty"."""
    from onboarding.adapters.database import engine_for
    from onboarding.service.application_input import parse_application
    from onboarding.service.submission import UploadedFile, submit_application

    services = services_for(home)
    photo = UploadedFile(DocumentType.STOREFRONT_PHOTO, clean_png(seed=SEED_IMAGE_SEED), "seed.png")
    application_id = submit_application(services, parse_application(valid_application()), [photo],
                                        actor="test:seed")
    engine_for(services.settings.resolved_database_url).dispose()
    return application_id


MERCHANT_PHONE = "13800138000"


def waiting_for_documents(home: Path, opened: datetime, database_url: str | None = None) -> str:
    """An application whose request round opened at `opened`: one message, one link, reminders at 24 h, 72 h."""
    from onboarding.adapters.database import engine_for
    from onboarding.domain.model import Application
    from onboarding.domain.states import ApplicationState as S
    from onboarding.service.requests import after_decision
    from rules.model import Decision, Deficiency, Outcome

    expired_back = Deficiency(code="document_expired", document_type="id_card_back", field="valid_until",
                              message_zh="您的身份证已于2026-10-01过期，请上传新的身份证。",
                              message_en="Your ID card expired on 2026-10-01; please upload your new card.",
                              staff_note="expired")
    services = services_for(home, database_url)
    services.clock = lambda: opened
    services.uow()  # maps the domain classes before one is built
    application = Application(
        merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481", phone=MERCHANT_PHONE,
        email="wang@example.com", business_name="昌良小吃店", business_address="广东省江门市台山市北陡镇沙咀村12号",
        settlement_holder_name="王昌良", settlement_number="6222021234567890123", settlement_bank="工商银行",
        device_model="P2", created_at=opened - timedelta(hours=1))
    with services.uow() as uow:
        application.transition(S.CHECKING, actor="engine", reason="test", at=opened)
        application.transition(S.NEEDS_DOCUMENTS, actor="engine", reason="document_expired", at=opened)
        decision = Decision(outcome=Outcome.NEEDS_DOCUMENTS, deficiencies=[expired_back], rules_version="t",
                            evaluated_on=opened.date())
        after_decision(services, uow, application, decision, opened, "engine")
        uow.applications.add(application)
        uow.commit()
    engine_for(services.settings.resolved_database_url).dispose()
    return application.id


@dataclass(frozen=True)
class HomeState:
    """Every row of every table (as a digest per table) and every stored file."""

    tables: dict[str, tuple[int, str]]  # table -> (row count, digest of the sorted rows)
    files: frozenset[str]

    def differences(self, after: "HomeState") -> list[str]:
        changes = []
        for name in sorted(set(self.tables) | set(after.tables)):
            before_rows, after_rows = self.tables.get(name, (0, "")), after.tables.get(name, (0, ""))
            if before_rows != after_rows:
                changes.append(f"table {name}: {before_rows[0]} -> {after_rows[0]} rows"
                               + (" (same count, rows changed)" if before_rows[0] == after_rows[0] else ""))
        if new_files := sorted(after.files - self.files):
            changes.append(f"new files under documents/: {new_files[:3]}")
        if gone_files := sorted(self.files - after.files):
            changes.append(f"files removed from documents/: {gone_files[:3]}")
        return changes


def home_state(home: Path) -> HomeState:
    return HomeState(_table_digests(database_path(home)), _stored_files(home.resolve() / "documents"))


def _table_digests(path: Path) -> dict[str, tuple[int, str]]:
    if not path.exists():
        return {}
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        digests = {}
        for name in names:
            rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{name}"'))
            digests[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return digests
    finally:
        connection.close()


def _stored_files(root: Path) -> frozenset[str]:
    if not root.exists():
        return frozenset()
    return frozenset(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
