"""Turns every expected failure into one line on stderr and exit code 2; nothing half-done is left behind."""
from __future__ import annotations

import functools
import json
from typing import Callable, NoReturn

import typer


class CliError(Exception):
    """A bad argument found by the CLI itself (a missing file, a malformed --doc)."""


def expected_errors() -> tuple[type[BaseException], ...]:
    """The refusals a user can cause. Imported when an error happens, not at start-up: most of them live in
    modules (image decoding, the ORM) that a quick command such as a rerun of a finished application never needs."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from documents.storage import BlobStoreUnavailable
    from onboarding.adapters.aftercare_repository import NotFound
    from onboarding.adapters.repository import ApplicationNotFound
    from onboarding.domain.staff import StaffRefused
    from onboarding.domain.calls import CallRefused
    from onboarding.domain.changes import ChangeRefused
    from onboarding.domain.complaints import ComplaintRefused
    from onboarding.service.call_outcomes import CallNotRecorded
    from onboarding.domain.states import IllegalTransition
    from onboarding.domain.terminals import LedgerError
    from onboarding.service.application_input import InvalidApplication
    from onboarding.service.batch import BatchRefused
    from onboarding.service.review import ReviewRefused
    from onboarding.service.submission import UploadRefused
    from onboarding.service.sweep import SweepRefused
    from onboarding.settings import EnvFileMissing
    from rules.deposit_policy import UnknownDeviceModel
    from rules.ruleset import RulesFileError

    return (CliError, InvalidApplication, UploadRefused, BatchRefused, ApplicationNotFound, IllegalTransition,
            BlobStoreUnavailable, ReviewRefused, RulesFileError, LedgerError, UnknownDeviceModel,
            StaffRefused, json.JSONDecodeError, UnicodeDecodeError, NotFound, CallRefused, CallNotRecorded,
            ChangeRefused, ComplaintRefused, SweepRefused, EnvFileMissing)


def fail(message: str, exit_code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(exit_code)


def handles_errors(command: Callable) -> Callable:
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except Exception as error:
            if not isinstance(error, expected_errors()):
                raise
            fail(str(error).splitlines()[0] if str(error) else type(error).__name__)

    return wrapper
