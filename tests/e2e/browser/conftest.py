"""A real mailbox (aiosmtpd), a real browser (the system Chromium) and the portal on a real socket."""
from __future__ import annotations

import email
import email.policy
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
LINK = re.compile(r"https?://[^\s/]+/r/[A-Za-z0-9_-]{43}")


@dataclass
class Inbox:
    port: int = 0
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd handler hook
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, recipient: str) -> list[email.message.EmailMessage]:
        with self._lock:
            return [m for m in self.messages if recipient in m["To"]]

    @staticmethod
    def text(message: email.message.EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def links_for(self, recipient: str) -> list[str]:
        """Distinct links, oldest first (a message repeats its link in each language)."""
        return list(dict.fromkeys(link for m in self.to(recipient) for link in LINK.findall(self.text(m))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    handler = Inbox(port=free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def portal_port() -> int:
    return free_port()


@pytest.fixture
def services(onboard_home, prefect_api_url, inbox, portal_port, monkeypatch):
    """Email leaves over SMTP to the inbox; links in it point at the portal this test serves."""
    from onboarding.bootstrap import get_services, reset_services

    monkeypatch.setenv("ONBOARD_EMAIL_CHANNEL", "smtp")
    monkeypatch.setenv("ONBOARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ONBOARD_SMTP_PORT", str(inbox.port))
    monkeypatch.setenv("ONBOARD_PORTAL_BASE_URL", f"http://127.0.0.1:{portal_port}")
    reset_services()
    return get_services()


@pytest.fixture
def portal_url(services, portal_port) -> Iterator[str]:
    """The portal with its default launcher: an upload starts the real flow in the background."""
    from onboarding.portal.app import create_app
    from onboarding.portal.server import serve_in_background

    with serve_in_background(create_app(services), port=portal_port) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    yield page
    context.close()
