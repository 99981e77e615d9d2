"""Builders for life after approval: applications approved through the real staff decision (so the call task,
the approved notice and its link come from the code under test), shipped terminals, transactions, outbox reads."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from PIL import Image

# A Tuesday, 10:00 in Shanghai: inside service hours.
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
CST = timezone(timedelta(hours=8))
PHONE = "13800138000"
NEW_PHONE = "13911112222"


def photo(seed: int, size: tuple[int, int] = (1200, 900)) -> bytes:
    import random

    rng = random.Random(seed)
    image = Image.frombytes("RGB", (size[0] // 8, size[1] // 8),
                            bytes(rng.getrandbits(8) for _ in range(size[0] // 8 * size[1] // 8 * 3)))
    buffer = io.BytesIO()
    image.resize(size).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@dataclass
class World:
    services: object
    now: datetime = NOW
    _txn: int = 0
    terminals: list[str] = field(default_factory=list)

    def later(self, **delta) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def approved(self, *, merchant_type: str = "small_micro", legal_name: str = "王昌良",
                 settlement_number: str = "6222021234567890123", business_address: str = "广东省江门市台山市北陡镇沙咀村12号",
                 business_name: str = "台山市北陡镇昌良小吃店", email: str | None = "wang@example.com",
                 device_model: str = "P2") -> str:
        """An application a reviewer approved by hand: `review.decide` runs what any approval runs."""
        from onboarding.domain.model import Application, Document
        from onboarding.domain.states import ApplicationState as S
        from onboarding.service.review import decide
        from rules.model import Outcome

        created = self.now - timedelta(days=2)
        holder = business_name if merchant_type == "enterprise" else legal_name
        app = Application(merchant_type=merchant_type, legal_name=legal_name, id_number="440781197506032481",
                          phone=PHONE, email=email, business_name=business_name, business_address=business_address,
                          settlement_holder_name=holder, settlement_number=settlement_number,
                          settlement_bank="中国工商银行", device_model=device_model, created_at=created)
        data = photo(len(self.terminals) + 1)
        sha = self.services.blobs.put(data)
        settlement_doc = "account_permit" if merchant_type == "enterprise" else "bank_card"
        app.add_document(Document(application_id="", document_type=settlement_doc, sha256=sha, size_bytes=len(data),
                                  media_type="image/jpeg", uploaded_at=created, uploaded_by="merchant",
                                  width=1200, height=900,
                                  fields={"card_number": {"value": settlement_number, "confidence": 0.99}}),
                         actor="merchant", at=created)
        if merchant_type != "small_micro":
            app.add_document(Document(application_id="", document_type="business_license", sha256="c" * 64,
                                      size_bytes=1, media_type="image/jpeg", uploaded_at=created,
                                      uploaded_by="merchant",
                                      fields={"uscc": {"value": "92440781MA4X0XXX1B", "confidence": 0.99}}),
                             actor="merchant", at=created)
        app.transition(S.CHECKING, actor="engine", reason="set-up", at=created)
        app.transition(S.MANUAL_REVIEW, actor="engine", reason="set-up", at=created)
        with self.services.uow() as uow:
            uow.applications.add(app)
            uow.commit()
        decide(self.services, app.id, Outcome.APPROVED, actor="staff:ana", reason="documents fine")
        return app.id

    def shipped(self, application_id: str, *, sn: str | None = None, model: str = "P2") -> str:
        from onboarding.service.terminals import add_terminal, ship

        sn = sn or f"SN{len(self.terminals) + 1:04d}"
        self.terminals.append(sn)
        add_terminal(self.services, sn, model)
        ship(self.services, application_id)
        return sn

    def confirm_call(self, application_id: str) -> None:
        from onboarding.service.call_outcomes import record_outcome

        with self.services.uow() as uow:
            call_id = uow.calls.for_one_application(application_id).id
        record_outcome(self.services, call_id, "confirmed", "all details confirmed", actor="staff:ana")

    def txn(self, sn: str, at: datetime, amount_fen: int, kind: str = "sale", channel: str = "card_chip") -> dict:
        self._txn += 1
        return {"txn_id": f"T{self._txn:06d}", "terminal_sn": sn, "occurred_at": at.astimezone(CST).isoformat(),
                "amount_fen": str(amount_fen), "kind": kind, "channel": channel}

    def import_rows(self, rows: list[dict]) -> None:
        from onboarding.service.transactions import import_transactions

        out = io.StringIO()
        writer = csv.DictWriter(out, ["txn_id", "terminal_sn", "occurred_at", "amount_fen", "kind", "channel"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        import_transactions(self.services, out.getvalue().encode())

    def sweep(self, as_of: datetime | None = None) -> dict:
        from onboarding.service.sweep import run_sweep

        return run_sweep(self.services, as_of or self.now)

    def outbox(self, application_id: str) -> list[dict]:
        with self.services.uow() as uow:
            return uow.outbox.for_application(application_id)

    def messages_to(self, recipient: str) -> list[dict]:
        from sqlalchemy import select

        from onboarding.adapters.outbox import outbox

        with self.services.uow() as uow:
            # Recipients are encrypted (random tokens): the database cannot compare them, Python can.
            rows = uow.session.execute(select(outbox).order_by(outbox.c.id)).mappings()
            return [dict(r) for r in rows if r["recipient"] == recipient]

    def actions(self, application_id: str) -> list[str]:
        with self.services.uow() as uow:
            return [e.action for e in uow.applications.get(application_id).events]

    def application(self, application_id: str):
        with self.services.uow() as uow:
            application = uow.applications.get(application_id)
            uow.session.expunge(application)
            return application
