"""How refusals become answers: one status and one message per kind of error, never a 500 for bad input."""
from __future__ import annotations

from onboarding.adapters.aftercare_repository import NotFound
from onboarding.adapters.repository import ApplicationNotFound
from onboarding.domain.calls import CallRefused
from onboarding.domain.changes import ChangeRefused
from onboarding.domain.complaints import ComplaintRefused
from onboarding.domain.staff import StaffRefused
from onboarding.domain.states import IllegalTransition
from onboarding.domain.terminals import LedgerError
from onboarding.service.application_input import InvalidApplication
from onboarding.service.call_outcomes import CallNotRecorded
from onboarding.service.queue import QueueRefused
from onboarding.service.review import ReviewRefused
from rules.deposit_policy import UnknownDeviceModel


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def problem_for(error: BaseException) -> tuple[int, str] | None:
    """(status, message) for an error a user can cause; None for a bug."""
    if isinstance(error, ApiError):
        return error.status, error.message
    if isinstance(error, (ApplicationNotFound, NotFound)):
        return 404, str(error)
    if isinstance(error, (CallRefused, ChangeRefused, ComplaintRefused)):
        return 409, str(error)
    if isinstance(error, CallNotRecorded):
        return 400, str(error)
    if isinstance(error, (ReviewRefused, IllegalTransition, LedgerError)):
        return 409, str(error)
    if isinstance(error, (StaffRefused, QueueRefused, InvalidApplication, UnknownDeviceModel)):
        return 400, str(error)
    return None
