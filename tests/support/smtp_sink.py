"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it is handed."""
from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def plain_text(message: EmailMessage) -> str:
    """The text/plain body as the sender wrote it: SMTP carries lines ending CRLF, the outbox stores LF."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def free_port() -> int:
    """A port nothing listens on right now: bound, then released, so connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _CollectingHandler:
    def __init__(self, delay_seconds: float) -> None:
        self.delay_seconds = delay_seconds
        self.lock = threading.Lock()
        self.envelopes: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)  # a slow relay: the sender waits for the reply
        with self.lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


class SmtpSink:
    """`start()` listens on `port` (a free one by default); `messages` are the parsed emails received."""

    def __init__(self, port: int | None = None, delay_seconds: float = 0.0) -> None:
        self.port = port or free_port()
        self._handler = _CollectingHandler(delay_seconds)
        self._controller: Controller | None = None

    def start(self) -> "SmtpSink":
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def envelopes(self) -> list[tuple[str, list[str], bytes]]:
        with self._handler.lock:
            return list(self._handler.envelopes)

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(content, policy=policy.default) for _, _, content in self.envelopes]

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
