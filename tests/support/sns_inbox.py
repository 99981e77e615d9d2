"""Reading back the SMS a moto server (server mode, over HTTP) has accepted.

moto keeps each published SMS as an `SMS` model, and its `GET /moto-api/data.json` endpoint lists
every tracked model instance; so the messages are read over HTTP, as they would be from a moto
server in another process. The list is process-wide and never reset here: tests filter by
recipient (each test uses its own phone number).
"""
from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedSms:
    message_id: str
    phone_number: str
    message: str


def published_sms(endpoint_url: str, phone_number: str | None = None) -> list[PublishedSms]:
    with urllib.request.urlopen(f"{endpoint_url}/moto-api/data.json", timeout=10) as response:
        data = json.loads(response.read().decode("utf-8"))
    messages = [PublishedSms(m["message_id"], m["phone_number"], m["message"])
                for m in data.get("sns", {}).get("SMS", [])]
    return [m for m in messages if phone_number is None or m.phone_number == phone_number]
