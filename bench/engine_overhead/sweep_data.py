"""Bulk data for the sweep benchmark: applications in every state a sweep acts on, inserted set-based.

Half the applications have open supplementary requests (24 h reminder due, 72 h reminder due, past due so the
application expires, not due yet); the other half are shipped terminals with held deposits and a transaction
batch (activations, refunds, forfeits), seeded with `bench/ledger_bench.py`'s generators. Rows go in with
SQLAlchemy Core `insert()` and executemany in chunks, never through the ORM one by one.
"""
from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

CHUNK = 5_000
REQUEST_MIX = (("reminder_24h", 0.3), ("reminder_72h", 0.2), ("expiry", 0.2), ("not_due", 0.3))
DOCUMENT_TYPES = ("id_card_front", "id_card_back", "bank_card", "address_proof", "storefront_photo",
                  "interior_photo")
ITEM = {"code": "document_expired", "document_type": "id_card_back", "field": "valid_until",
        "message_zh": "身份证已过期，请上传有效期内的身份证反面。",
        "message_en": "The ID card has expired; please upload the back of a valid one.",
        "staff_note": "id_card_back valid_until before today", "status": "open"}


@dataclass(frozen=True)
class SweepData:
    as_of: datetime
    request_counts: dict[str, int]
    terminals: int
    transactions: int


def request_kind(n: int, total: int) -> str:
    position, start = n / max(total, 1), 0.0
    for kind, share in REQUEST_MIX:
        start += share
        if position < start:
            return kind
    return REQUEST_MIX[-1][0]


def _request_times(kind: str, as_of: datetime) -> tuple[datetime, list[str], datetime | None]:
    """created_at, reminders already sent, next reminder time."""
    if kind == "reminder_24h":
        created = as_of - timedelta(hours=25)
        return created, [], created + timedelta(hours=24)
    if kind == "reminder_72h":
        created = as_of - timedelta(hours=73)
        return created, ["24h"], created + timedelta(hours=72)
    if kind == "expiry":
        return as_of - timedelta(days=11), ["24h", "72h"], None
    created = as_of - timedelta(hours=2)
    return created, [], created + timedelta(hours=24)


def request_application_rows(n: int, kind: str, as_of: datetime, due_days: int = 10,
                             token_hash: str | None = None) -> dict[str, list[dict]]:
    """One application in needs_documents with the rows a real run leaves: documents, decision, events,
    an open request for a new ID card back, and its upload link."""
    app_id = f"APP-R{n:07d}"
    created, sent, next_reminder = _request_times(kind, as_of)
    submitted = created - timedelta(minutes=3)
    application = dict(id=app_id, merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481",
                       phone="13800138000", email=f"m{n}@example.com", business_name=f"昌良小吃店{n}",
                       business_address="广东省江门市台山市北陡镇沙咀村12号", settlement_holder_name="王昌良",
                       settlement_number="6222021234567890123", settlement_bank="中国工商银行", device_model="P2",
                       state="needs_documents", state_changed_at=created, created_at=submitted, version=1,
                       waivers=[])
    documents = [dict(id=f"DOC-R{n:07d}{k}", application_id=app_id, document_type=t,
                      sha256=f"{n:056d}{k:08d}", size_bytes=90_000, media_type="image/jpeg", width=1200, height=760,
                      blur_score=850.0, source_name=f"{t}.jpg", uploaded_at=submitted, uploaded_by="merchant",
                      fields={"name": {"value": "王昌良", "confidence": 0.93}} if k == 0 else None,
                      ocr_engine="tesseract 5.3.0")
                 for k, t in enumerate(DOCUMENT_TYPES)]
    decision = dict(application_id=app_id, outcome="needs_documents", deficiencies=[ITEM], warnings=[],
                    rules_version="bench", ocr_engine="tesseract 5.3.0", fingerprint=f"{n:064d}", decided_at=created,
                    decided_by="engine")
    events = [dict(application_id=app_id, at=submitted, actor="bench", action="submitted", from_state=None,
                   to_state="submitted", reason="", details={}),
              dict(application_id=app_id, at=created, actor="engine", action="transition", from_state="submitted",
                   to_state="checking", reason="documents to check", details={}),
              dict(application_id=app_id, at=created, actor="engine", action="transition", from_state="checking",
                   to_state="needs_documents", reason="document_expired", details={})]
    due = created + timedelta(days=due_days)
    request = dict(application_id=app_id, round_number=1, status="open", created_at=created, due_at=due,
                   closed_at=None, items=[ITEM], reminders_sent=sent, next_reminder_at=next_reminder)
    link = dict(application_id=app_id, token_hash=token_hash or secrets.token_hex(32), created_at=created,
                expires_at=due, sealed_token=None, revoked_at=None)
    return {"applications": [application], "documents": documents, "decisions": [decision],
            "audit_events": events, "supplementary_requests": [request], "upload_links": [link]}


def insert_request_applications(services, count: int, as_of: datetime, start: int = 0,
                                token_hashes: list[str] | None = None, kind: str | None = None) -> dict[str, int]:
    from onboarding.adapters import orm

    tables = {name: getattr(orm, name) for name in ("applications", "documents", "decisions", "audit_events",
                                                      "supplementary_requests", "upload_links")}
    counts: dict[str, int] = {}
    with services.uow() as uow:
        for chunk_start in range(0, count, CHUNK):
            rows: dict[str, list[dict]] = {name: [] for name in tables}
            for offset in range(chunk_start, min(chunk_start + CHUNK, count)):
                this_kind = kind or request_kind(offset, count)
                counts[this_kind] = counts.get(this_kind, 0) + 1
                token_hash = token_hashes[offset] if token_hashes else None
                for name, values in request_application_rows(start + offset, this_kind, as_of,
                                                             services.settings.request_due_days, token_hash).items():
                    rows[name].extend(values)
            for name, table in tables.items():  # parents first: the foreign keys are checked
                uow.session.execute(table.insert(), rows[name])
        uow.commit()
    return counts


def seed_sweep_data(services, applications: int, transactions_per_terminal: int) -> SweepData:
    """Half request applications, half shipped terminals with transactions; returns the sweep's as_of."""
    from bench import ledger_bench
    from onboarding.service.transactions import import_transactions

    as_of = ledger_bench.BASE + timedelta(days=80)  # the ledger bench's sweep moment: activations and decisions due
    terminals = applications // 2
    counts = insert_request_applications(services, applications - terminals, as_of)
    ledger_bench.seed_shipped(services, terminals)
    transactions = terminals * transactions_per_terminal
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as scratch:
        batch = Path(scratch) / "batch.csv"
        ledger_bench.write_transactions(batch, terminals, transactions)
        import_transactions(services, batch)
    return SweepData(as_of=as_of, request_counts=counts, terminals=terminals, transactions=transactions)
