"""Builders for ledger tests: approved applications, shipped terminals, transaction CSV batches."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

SHIPPED_AT = datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc)
CST = timezone(timedelta(hours=8))


@dataclass
class Ledger:
    services: object
    now: datetime = SHIPPED_AT
    _txn_counter: int = 0

    def approved_application(self, *, device_model: str = "P2", merchant_type: str = "small_micro",
                             email: str | None = "shop@example.com", uscc: str | None = None) -> str:
        from onboarding.domain.model import Application, Document
        from onboarding.domain.states import ApplicationState as S

        app = Application(
            merchant_type=merchant_type, legal_name="王昌良", id_number="440781197506032481", phone="13800138000",
            email=email, business_name="台山市北陡镇昌良小吃店", business_address="广东省江门市台山市北陡镇沙咀村12号",
            settlement_holder_name="王昌良", settlement_number="6222021234567890123", settlement_bank="中国工商银行",
            device_model=device_model, created_at=self.now - timedelta(days=3))
        if uscc:
            app.add_document(Document(application_id="", document_type="business_license", sha256="b" * 64,
                                      size_bytes=1, media_type="image/png", uploaded_at=self.now,
                                      uploaded_by="merchant", fields={"uscc": {"value": uscc, "confidence": 0.99}}),
                             actor="merchant", at=self.now)
        for state in (S.CHECKING, S.APPROVED):
            app.transition(state, actor="engine", reason="test set-up", at=self.now - timedelta(days=1))
        with self.services.uow() as uow:
            uow.applications.add(app)
            uow.commit()
        return app.id

    def shipped(self, serial_number: str, *, device_model: str = "P2", **app_options) -> str:
        from onboarding.service.terminals import add_terminal, ship

        add_terminal(self.services, serial_number, device_model)
        application_id = self.approved_application(device_model=device_model, **app_options)
        ship(self.services, application_id)
        return application_id

    def txn(self, terminal_sn: str, at: datetime, amount_fen: int, kind: str = "sale", channel: str = "card_chip",
            txn_id: str | None = None) -> dict:
        self._txn_counter += 1
        row = {"txn_id": txn_id or f"T{self._txn_counter:08d}", "terminal_sn": terminal_sn,
               "occurred_at": at.astimezone(CST).isoformat(), "amount_fen": str(amount_fen), "kind": kind,
               "channel": channel}
        return row

    def csv(self, rows: list[dict]) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(out, ["txn_id", "terminal_sn", "occurred_at", "amount_fen", "kind", "channel"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()

    def import_rows(self, rows: list[dict]):
        """Imports the rows as a batch that arrives just after its latest transaction (an import refuses rows
        dated in its future); the clock is back where it was afterwards."""
        from onboarding.service.transactions import import_transactions

        before = self.now
        latest = max((datetime.fromisoformat(r["occurred_at"]) for r in rows), default=before)
        self.now = max(before, latest + timedelta(minutes=1))
        try:
            return import_transactions(self.services, self.csv(rows))
        finally:
            self.now = before

    def sweep(self, as_of: datetime):
        from onboarding.service.deposits import sweep_ledger

        return sweep_ledger(self.services, as_of)

    def count(self, table: str, **where) -> int:
        import sqlalchemy as sa

        from onboarding.adapters.schema import metadata

        t = metadata.tables[table]
        with self.services.uow() as uow:
            query = sa.select(sa.func.count()).select_from(t).where(*(t.c[k] == v for k, v in where.items()))
            return uow.session.execute(query).scalar_one()
