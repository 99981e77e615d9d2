"""A portal on a real socket over a real SQLite database; applications built through the domain."""
from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from PIL import Image

from onboarding.bootstrap import Services, get_services
from onboarding.domain.model import Application, Document
from onboarding.domain.states import ApplicationState as S
from onboarding.portal.app import create_app
from onboarding.portal.ratelimit import PortalLimits
from onboarding.portal.server import serve_in_background
from onboarding.service.requests import issue_link

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)

EXPIRED_BACK = {"code": "document_expired", "document_type": "id_card_back", "field": "valid_until",
                "message_zh": "您的身份证已于2024-03-01过期，请上传新的身份证（正反面）。",
                "message_en": "Your ID card expired on 2024-03-01; please upload your new card, front and back.",
                "staff_note": "id_card_back expired on 2024-03-01"}
MISSING_STOREFRONT = {"code": "document_missing", "document_type": "storefront_photo", "field": None,
                      "message_zh": "请上传门头照。", "message_en": "Please upload a storefront photo.",
                      "staff_note": "storefront_photo missing"}


def photo_bytes(seed: int = 1, size: tuple[int, int] = (320, 200), fmt: str = "JPEG") -> bytes:
    """Noise, so it is sharp enough and every seed is a different file."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


@dataclass
class Launches:
    application_ids: list[str] = field(default_factory=list)

    def __call__(self, application_id: str) -> None:
        self.application_ids.append(application_id)


@dataclass
class Merchant:
    application_id: str
    token: str
    rejected_document_id: str | None

    @property
    def path(self) -> str:
        return f"/r/{self.token}"


@pytest.fixture
def services(onboard_home) -> Services:
    services = get_services()
    services.clock = lambda: NOW
    services.uow()  # maps the domain classes, so applications can be built before the first transaction
    return services


def build_merchant(services: Services, items: list[dict] | None = None, *, business_name: str = "台山市昌良小吃店",
                   state: S = S.NEEDS_DOCUMENTS) -> Merchant:
    """An application that was checked and asked for documents, with the link its message carried."""
    now = services.clock()
    application = Application(
        merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481", phone="13800138000",
        email="wang@example.com", business_name=business_name, business_address="广东省江门市台山市北陡镇沙咀村12号",
        settlement_holder_name="王昌良", settlement_number="6222021234567890123", settlement_bank="中国工商银行",
        device_model="P2", created_at=now - timedelta(hours=2),
    )
    data = photo_bytes(seed=sum(application.id.encode()))
    document = Document(application_id="", document_type="id_card_back", sha256=services.blobs.put(data), size_bytes=len(data),
                        media_type="image/jpeg", uploaded_at=now - timedelta(hours=2), uploaded_by="merchant")
    application.add_document(document, actor="merchant", at=now - timedelta(hours=2))
    application.transition(S.CHECKING, actor="engine", reason="documents to check", at=now - timedelta(hours=1))
    application.transition(S.NEEDS_DOCUMENTS, actor="engine", reason="document_expired", at=now - timedelta(hours=1))
    request = application.request_documents(items or [EXPIRED_BACK], at=now - timedelta(hours=1),
                                            due_at=now + timedelta(days=9), actor="engine")
    url = issue_link(services, application, request, now - timedelta(hours=1))
    if state != S.NEEDS_DOCUMENTS:
        application.transition(state, actor="staff:test", reason="test", at=now)
    with services.uow() as uow:
        uow.applications.add(application)
        uow.commit()
    return Merchant(application.id, url.rsplit("/", 1)[-1], document.id)


@pytest.fixture
def merchant(services) -> Merchant:
    return build_merchant(services, [EXPIRED_BACK, MISSING_STOREFRONT])


@pytest.fixture
def launches() -> Launches:
    return Launches()


@pytest.fixture
def portal_factory(services, launches):
    """`portal_factory(limits=None)` → an httpx client on a fresh server; all are stopped at the end."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        def start(limits: PortalLimits | None = None) -> httpx.Client:
            base_url = stack.enter_context(serve_in_background(create_app(services, launches, limits)))
            return stack.enter_context(httpx.Client(base_url=base_url, follow_redirects=False, timeout=30))

        yield start


@pytest.fixture
def client(portal_factory) -> httpx.Client:
    return portal_factory()


def document_count(services: Services, application_id: str) -> int:
    with services.uow() as uow:
        return len(uow.applications.get(application_id).documents)


def stored_blobs(services: Services) -> set[str]:
    return {p.name for p in services.settings.documents_dir.rglob("*") if p.is_file()}
