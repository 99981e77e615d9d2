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
    # Whether a second copy of a message is harmless (dropped or overwritten by its key). A channel without
    # that is never resent when the first attempt's outcome is unknown.
    resend_safe: bool

    def send(self, message: OutboxMessage) -> None: ...


class OutcomeUnknown(RuntimeError):
    """The request reached the provider and no answer came back: the message may or may not be on its way."""


def _safe_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)


class FileSender:
    """Writes each message to `<dir>/<idempotency key>.json`; a second delivery overwrites, never duplicates."""

    resend_safe = True

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: OutboxMessage) -> None:
        path = self.directory / f"{_safe_name(message.idempotency_key)}.json"
        record = {"channel": str(message.channel), "to": message.recipient, "subject": message.subject,
                  "body": message.body, "idempotency_key": message.idempotency_key}
        write_private_text(path, json.dumps(record, ensure_ascii=False, indent=2))


class SmtpSender:
    # A second copy carries the same Message-ID, which relays and mailboxes use to drop it.
    resend_safe = True

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
    """SNS has no idempotency key for SMS: a publish repeated after a timeout is a second text on the phone.

    So neither botocore nor we retry a publish whose outcome is unknown; it is left to staff.
    """

    resend_safe = False

    def __init__(self, region: str, endpoint_url: str | None = None, *, connect_timeout: float = 3,
                 read_timeout: float = 10) -> None:
        self.region, self.endpoint_url = region, endpoint_url
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self._client = None

    def _sns(self):
        if self._client is None:
            # heavy import, paid only on the path that needs it
            import boto3
            from botocore.config import Config

            # One attempt in all: botocore's retries would publish again after a slow answer.
            config = Config(connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                            retries={"total_max_attempts": 1, "mode": "standard"})
            self._client = boto3.session.Session().client("sns", region_name=self.region,
                                                          endpoint_url=self.endpoint_url, config=config)
        return self._client

    def send(self, message: OutboxMessage) -> None:
        # heavy import, paid only on the path that needs it
        from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

        number = message.recipient if message.recipient.startswith("+") else f"+86{message.recipient}"
        try:
            self._sns().publish(PhoneNumber=number, Message=message.body,
                                MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String",
                                                                            "StringValue": "Transactional"}})
        except (ReadTimeoutError, ConnectionClosedError) as error:
            # The request was sent; whether SNS published it is unknown. (A refused or timed-out connection
            # sent nothing, and stays an ordinary failure that is retried.)
            raise OutcomeUnknown(f"no answer from SNS after the publish was sent: {error}") from error
