"""Arranging outbox scenarios on a real database: applications, notices with upload links, outbox rows."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from onboarding.bootstrap import Services
from onboarding.domain.requests import new_upload_token
from onboarding.notifications import messages
from onboarding.notifications.messages import Notice
from onboarding.notifications.outbox import enqueue_notice
from onboarding.service.application_input import parse_application
from onboarding.service.submission import submit_application
from onboarding.settings import Settings
from tests.support.applications import valid_application

MAIL_FROM = "onboarding@acquirer.example"
PORTAL = "https://portal.acquirer.example"
_phone_numbers = itertools.count(1)
ITEMS = [{"message_zh": "身份证国徽面已过期，请上传新证件", "message_en": "Your ID card (back) has expired; upload the new card"},
         {"message_zh": "结算卡户名与身份证姓名不一致", "message_en": "The settlement card is in another person's name"}]


def unique_phone() -> str:
    """A valid mainland mobile number no other test in this process uses (moto's SMS list is process-wide)."""
    return f"139{next(_phone_numbers):08d}"


def expected_message_id(idempotency_key: str) -> str:
    return f"<{re.sub(r'[^A-Za-z0-9._-]', '_', idempotency_key)}@{MAIL_FROM.split('@')[1]}>"


def delivery_services(home: Path, database_url: str, *, smtp_port: int, sns_endpoint_url: str) -> Services:
    settings = Settings(home=home, database_url=database_url, blob_store="local", mail_from=MAIL_FROM,
                        email_channel="smtp", smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_starttls=False,
                        smtp_username=None, sms_channel="sns", sns_endpoint_url=sns_endpoint_url,
                        sns_region="us-east-1", portal_base_url=PORTAL)
    return Services(settings)


@dataclass(frozen=True)
class Enqueued:
    application_id: str
    phone: str
    email: str
    notice: Notice
    upload_url: str

    def key(self, channel: str) -> str:
        return f"{self.application_id}:{self.notice.event}:{channel}"


def new_application(services: Services) -> tuple[str, str, str]:
    phone = unique_phone()
    email = f"merchant-{phone}@example.com"
    payload = parse_application(valid_application(phone=phone, email=email))
    return submit_application(services, payload, [], actor="test:notifications"), phone, email


def request_notice(application_id: str, round_number: int) -> tuple[Notice, str]:
    token, _ = new_upload_token()
    url = f"{PORTAL}/r/{token}"
    due = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc) + timedelta(days=round_number)
    notice = messages.request_opened(application_id, "台山市北陡镇昌良小吃店", ITEMS, url, due,
                                     ZoneInfo("Asia/Shanghai"), round_number)
    return notice, url


def enqueue(services: Services, application_id: str, notice: Notice) -> int:
    with services.uow() as uow:
        added = enqueue_notice(uow, uow.applications.get(application_id), notice, services.clock())
        uow.commit()
    return added


def enqueue_request_rounds(services: Services, applications: int, rounds: int) -> list[Enqueued]:
    enqueued = []
    for _ in range(applications):
        application_id, phone, email = new_application(services)
        for round_number in range(1, rounds + 1):
            notice, url = request_notice(application_id, round_number)
            assert enqueue(services, application_id, notice) == 2
            enqueued.append(Enqueued(application_id, phone, email, notice, url))
    return enqueued


def outbox_rows(services: Services, application_id: str) -> dict[str, dict]:
    """The application's outbox rows by idempotency key."""
    with services.uow() as uow:
        return {row["idempotency_key"]: row for row in uow.outbox.for_application(application_id)}
