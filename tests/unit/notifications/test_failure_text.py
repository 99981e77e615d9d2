"""Delivery failures are stored in clear (`outbox.last_error`) and travel in flow errors: no recipient in them."""
from __future__ import annotations

import smtplib

from onboarding.notifications.delivery import failure_text


def test_a_refused_address_is_not_quoted_in_the_failure():
    address = "hu.chunyan@example.cn"
    error = smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 mailbox unavailable")})
    text = failure_text(error, address)
    assert address in str(error) and address not in text
    assert text.startswith("SMTPRecipientsRefused: ") and "[recipient]" in text and "550" in text


def test_a_phone_number_in_a_provider_error_is_not_quoted():
    text = failure_text(RuntimeError("Invalid parameter: PhoneNumber +8613912345678"), "+8613912345678")
    assert "13912345678" not in text and text.endswith("PhoneNumber [recipient]")
