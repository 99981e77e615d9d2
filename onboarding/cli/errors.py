"""Turns every expected failure into one line on stderr and exit code 2; nothing half-done is left behind."""
from __future__ import annotations

import functools
import json
from typing import Callable, NoReturn

import typer

from documents.storage import BlobStoreUnavailable
from onboarding.adapters.repository import ApplicationNotFound
from onboarding.domain.states import IllegalTransition
from onboarding.service.application_input import InvalidApplication
from onboarding.service.batch import BatchRefused
from onboarding.service.submission import UploadRefused

EXPECTED = (InvalidApplication, UploadRefused, BatchRefused, ApplicationNotFound, IllegalTransition,
            BlobStoreUnavailable, json.JSONDecodeError, UnicodeDecodeError)


class CliError(Exception):
    """A bad argument found by the CLI itself (a missing file, a malformed --doc)."""


def fail(message: str, exit_code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(exit_code)


def handles_errors(command: Callable) -> Callable:
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from onboarding.service.review import ReviewRefused
        from rules.ruleset import RulesFileError

        try:
            return command(*args, **kwargs)
        except (CliError, RulesFileError, ReviewRefused, *EXPECTED) as error:
            fail(str(error).splitlines()[0] if str(error) else type(error).__name__)

    return wrapper
