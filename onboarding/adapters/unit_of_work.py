"""One transaction, one set of repositories. Leaving without `commit()` rolls back."""
from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from onboarding.adapters.aftercare_repository import CallRepository, ChangeRepository, ComplaintRepository
from onboarding.adapters.case_repository import CaseRepository
from onboarding.adapters.ledger_lists_sql import LedgerListsSql
from onboarding.adapters.ledger_repository import LedgerRepository
from onboarding.adapters.outbox import OutboxRepository
from onboarding.adapters.queue_sql import QueueSql
from onboarding.adapters.repository import ApplicationRepository, OcrReadingRepository
from onboarding.adapters.request_sweep_sql import RequestSweepSql
from onboarding.adapters.staff_repository import StaffRepository


class UnitOfWork:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def __enter__(self) -> "UnitOfWork":
        self.session = self._sessions()
        self.applications = ApplicationRepository(self.session)
        self.ocr_readings = OcrReadingRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self.request_sweep = RequestSweepSql(self.session)
        self.staff = StaffRepository(self.session)
        self.cases = CaseRepository(self.session)
        self.queue = QueueSql(self.session)
        self.ledger_lists = LedgerListsSql(self.session)
        self.calls = CallRepository(self.session)
        self.changes = ChangeRepository(self.session)
        self.complaints = ComplaintRepository(self.session)
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
