"""`onboard review …`: staff overrides with a reason, and the manual-review queue."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from onboarding.cli.common import JsonFlag, cli_actor, cli_services, emit
from onboarding.cli.errors import fail, handles_errors

review_app = typer.Typer(no_args_is_help=True, help="Staff overrides (audited) and the manual-review queue.")
Reason = Annotated[str, typer.Option("--reason", help="Why: goes into the audit trail.")]


def _show(application_id: str, json_: bool) -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.cli import render
    from onboarding.service.views import application_view

    emit(application_view(cli_services(), application_id), json_, render.application)


def _deliver() -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.notifications.delivery import deliver_pending

    deliver_pending(cli_services())


@review_app.command("accept")
@handles_errors
def accept(application_id: str, code: str, reason: Reason,
           document: Annotated[Optional[str], typer.Option("--document", help="Document type of the finding.")] = None,
           json_: JsonFlag = False) -> None:
    """Accept one finding as it is (e.g. a name OCR misread); the checks run again without it."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.review import waive

    services = cli_services()
    waive(services, application_id, code, document, actor=cli_actor(), reason=reason)
    services.runs.run_and_wait([application_id], from_step="check")
    _show(application_id, json_)


@review_app.command("approve")
@handles_errors
def approve(application_id: str, reason: Reason, json_: JsonFlag = False) -> None:
    """Approve by hand (from needs_documents or manual_review); the merchant is told, a terminal is reserved."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.review import approve as approve_application

    approve_application(cli_services(), application_id, actor=cli_actor(), reason=reason)
    _deliver()
    _show(application_id, json_)


@review_app.command("reject")
@handles_errors
def reject(application_id: str, reason: Reason,
           code: Annotated[Optional[str], typer.Option(help="Code recorded with the rejection.")] = None,
           message_zh: Annotated[Optional[str], typer.Option(help="What the merchant reads (Chinese).")] = None,
           message_en: Annotated[Optional[str], typer.Option(help="What the merchant reads (English).")] = None,
           json_: JsonFlag = False) -> None:
    """Reject by hand; the merchant reads --message-zh/--message-en (or a plain refusal), never --reason."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.review import reject as reject_application

    reject_application(cli_services(), application_id, actor=cli_actor(), reason=reason, code=code,
                       message_zh=message_zh, message_en=message_en)
    _deliver()
    _show(application_id, json_)


@review_app.command("request")
@handles_errors
def request(application_id: str,
            document_types: Annotated[list[str], typer.Argument(help="One or more document types: one round, one "
                                                                    "message, one link.")],
            reason: Reason,
            message_zh: Annotated[Optional[str], typer.Option(help="Own words for the merchant (Chinese).")] = None,
            message_en: Annotated[Optional[str], typer.Option(help="Own words for the merchant (English).")] = None,
            json_: JsonFlag = False) -> None:
    """Ask the merchant for documents again: the merchant reads the messages (or the standard wording), never
    --reason, which stays in the audit trail."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.cli.inputs import parse_document_type
    from onboarding.service.review import RequestedDocument, request_documents

    chosen = [RequestedDocument(str(parse_document_type(t)), message_zh, message_en) for t in document_types]
    request_documents(cli_services(), application_id, chosen, actor=cli_actor(), reason=reason)
    _deliver()
    _show(application_id, json_)


@review_app.command("queue")
@handles_errors
def queue(json_: JsonFlag = False) -> None:
    """Applications waiting for staff, oldest first, with what they wait on."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.cli import render
    from onboarding.domain.states import ApplicationState
    from onboarding.service.views import status_rows

    rows = sorted(status_rows(cli_services(), [ApplicationState.MANUAL_REVIEW]), key=lambda r: -r["in_state_hours"])
    emit(rows, json_, render.status)


@review_app.command("message")
@handles_errors
def message(key: Annotated[str, typer.Argument(help="The message's key, as `onboard show` lists it.")],
            reason: Reason,
            resend: Annotated[Optional[bool], typer.Option("--resend/--delivered",
                                                           help="Send it again, or take it as delivered.")] = None,
            json_: JsonFlag = False) -> None:
    """Decide a message whose outcome is unknown (never sent again by itself): --resend or --delivered."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from dataclasses import asdict

    from onboarding.service.messages import decide_unknown_message

    if resend is None:
        fail("say --resend (send it again) or --delivered (the merchant has it)")
    done = decide_unknown_message(cli_services(), key, resend=resend, actor=cli_actor(), reason=reason)
    emit(asdict(done), json_, lambda d: typer.echo(
        f"{d['key']}: {'sent again' if d['sent'] else 'queued to be sent again'}" if d["decision"] == "resent"
        else f"{d['key']}: taken as delivered"))
