"""The channels a message can leave by. One real implementation each; the file channel is the demo's."""
from __future__ import annotations

import json
import re
import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from documents.private_files import write_private_text
from onboarding.domain.notifications import OutboxMessage


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


def _safe_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)


class FileSender:
    """Writes each message to `<dir>/<idempotency key>.json`; a second delivery overwrites, never duplicates."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: OutboxMessage) -> None:
        path = self.directory / f"{_safe_name(message.idempotency_key)}.json"
        record = {"channel": str(message.channel), "to": message.recipient, "subject": message.subject,
                  "body": message.body, "idempotency_key": message.idempotency_key}
        write_private_text(path, json.dumps(record, ensure_ascii=False, indent=2))


class SmtpSender:
    def __init__(self, host: str, port: int, mail_from: str, *, starttls: bool = False,
                 username: str | None = None, password: str | None = None, timeout: float = 10.0) -> None:
        self.host, self.port, self.mail_from = host, port, mail_from
        self.starttls, self.username, self.password, self.timeout = starttls, username, password, timeout

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = message.recipient
        email["Subject"] = message.subject
        # Derived from the idempotency key so a relay or mailbox can drop a copy we could not confirm.
        email["Message-ID"] = f"<{_safe_name(message.idempotency_key)}@{self.mail_from.split('@')[-1]}>"
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(email)


class SnsSmsSender:
    def __init__(self, region: str, endpoint_url: str | None = None) -> None:
        self.region, self.endpoint_url = region, endpoint_url
        self._client = None

    def _sns(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client("sns", region_name=self.region, endpoint_url=self.endpoint_url,
                                        config=Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}))
        return self._client

    def send(self, message: OutboxMessage) -> None:
        number = message.recipient if message.recipient.startswith("+") else f"+86{message.recipient}"
        self._sns().publish(PhoneNumber=number, Message=message.body,
                            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String",
                                                                        "StringValue": "Transactional"}})
