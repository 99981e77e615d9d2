"""Applications built through the domain with controlled timestamps, for the report's integration tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from onboarding.domain.model import Application, DecisionRecord
from onboarding.domain.states import ApplicationState as S

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc)
MERCHANT_TYPES = ("small_micro", "sole_trader", "enterprise")


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def new_application(number: int, created_at: datetime) -> Application:
    return Application(
        merchant_type=MERCHANT_TYPES[number % 3], legal_name="王昌良", id_number="440781197506032481",
        phone="13800138000", email=None, business_name=f"昌良小吃店 {number} <&>",
        business_address="广东省江门市台山市北陡镇沙咀村12号", settlement_holder_name="王昌良",
        settlement_number="6222021234567890123", settlement_bank="中国工商银行", device_model="P2",
        created_at=created_at,
    )


def move(application: Application, target: S, at: datetime) -> None:
    application.transition(target, actor="engine", reason="test", at=at)


def decide(application: Application, at: datetime, *codes: str) -> None:
    outcome = "approved" if not codes else "needs_documents"
    application.decisions.append(DecisionRecord(
        application_id=application.id, outcome=outcome,
        deficiencies=[{"code": c, "document_type": "id_card_front", "message_en": "…", "message_zh": "…"}
                      for c in codes],
        warnings=[], rules_version="1+test", ocr_engine="tesseract 5.3.0", fingerprint="0" * 64, decided_at=at))


def ask(application: Application, at: datetime, *codes: str) -> None:
    application.request_documents([{"code": c, "document_type": "id_card_front"} for c in codes], at=at,
                                  due_at=at + timedelta(days=10), actor="engine")


def store(services, applications: list[Application]) -> None:
    with services.uow() as uow:
        for application in applications:
            uow.applications.add(application)
        uow.commit()


def thirty_applications() -> list[Application]:
    """30 applications; the test states what the report must say about them, worked out by hand.

    - 10 approved i+1 hours after creation (i = 0..9); the first 3 then shipped and activated
    - 8 waiting on documents since 1 h after creation; 2 of them went round twice (back at 31 h)
    - 5 in manual review since 2 h after creation, flagged ocr_low_confidence
    - 4 rejected with id_number_invalid
    - 3 still submitted
    """
    apps: list[Application] = []
    for i in range(10):
        app = new_application(len(apps), hours(i))
        move(app, S.CHECKING, hours(i))
        decide(app, hours(2 * i + 1))
        move(app, S.APPROVED, hours(2 * i + 1))
        if i < 3:
            move(app, S.SHIPPED, hours(i + 24))
            move(app, S.ACTIVE, hours(i + 48))
        apps.append(app)
    for i in range(8):
        created = 100 + i
        app = new_application(len(apps), hours(created))
        move(app, S.CHECKING, hours(created))
        codes = ("document_blurry",) if i % 2 else ("document_expired", "document_missing")
        decide(app, hours(created + 1), *codes)
        ask(app, hours(created + 1), *codes)
        move(app, S.NEEDS_DOCUMENTS, hours(created + 1))
        if i < 2:
            move(app, S.CHECKING, hours(created + 30))
            decide(app, hours(created + 31), "document_blurry")
            ask(app, hours(created + 31), "document_blurry")
            move(app, S.NEEDS_DOCUMENTS, hours(created + 31))
        apps.append(app)
    for i in range(5):
        created = 150 + i
        app = new_application(len(apps), hours(created))
        move(app, S.CHECKING, hours(created))
        decide(app, hours(created + 2), "ocr_low_confidence")
        move(app, S.MANUAL_REVIEW, hours(created + 2))
        apps.append(app)
    for i in range(4):
        app = new_application(len(apps), hours(200 + i))
        move(app, S.CHECKING, hours(200 + i))
        decide(app, hours(201 + i), "id_number_invalid")
        move(app, S.REJECTED, hours(201 + i))
        apps.append(app)
    for i in range(3):
        apps.append(new_application(len(apps), hours(210 + i)))
    return apps
