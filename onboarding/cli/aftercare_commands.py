"""`onboard calls …`, `onboard change …`, `onboard changes …`, `onboard complaints …`: life after approval.

Registered on `onboard` by cli.main:

    app.add_typer(calls_app, name="calls"); app.add_typer(changes_app, name="changes")
    app.add_typer(complaints_app, name="complaints"); app.command()(change)
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from onboarding.cli.common import JsonFlag, cli_actor, cli_services, emit
from onboarding.cli.errors import CliError, handles_errors

calls_app = typer.Typer(no_args_is_help=True, help="Follow-up calls (回访) after approval.")
changes_app = typer.Typer(no_args_is_help=True, help="Change requests: codes, checks, staff decisions.")
complaints_app = typer.Typer(no_args_is_help=True, help="Complaints and their service-level clocks.")

Reason = Annotated[str, typer.Option("--reason", help="Why: goes into the audit trail.")]
PhoneOption = Annotated[Optional[str], typer.Option("--phone", help="New mobile number (a code confirms it).")]
EmailOption = Annotated[Optional[str], typer.Option("--email", help="New e-mail address (a code confirms it).")]
AddressOption = Annotated[Optional[str], typer.Option("--business-address",
                                                      help="New business address (needs a new address proof).")]
AccountOption = Annotated[Optional[str], typer.Option(
    "--settlement-account", help='New settlement account as JSON: {"holder_name", "number", "bank_name"} '
                                 "(needs a new card photo or account permit, the same checks, a staff approval).")]


def _deliver() -> None:
    """Messages this command queued go out now; what cannot be sent stays for the sweep."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.notifications.delivery import deliver_pending

    deliver_pending(cli_services())


def _change_input(phone: str | None, email: str | None, business_address: str | None,
                  settlement_account: str | None):
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.change_input import parse_change

    raw: dict[str, Any] = {k: v for k, v in
                           {"phone": phone, "email": email, "business_address": business_address}.items()
                           if v is not None}
    if settlement_account is not None:
        # imported when the command runs: `onboard --help` and the other commands start without it
        from onboarding.service.application_input import DuplicateKey, loads_json_object_strictly

        try:
            raw["settlement_account"] = loads_json_object_strictly(settlement_account)
        except DuplicateKey as error:
            raise CliError(f"--settlement-account: {error}") from None
        except json.JSONDecodeError as error:
            raise CliError(f"--settlement-account: not JSON ({error.msg})") from None
    return parse_change(raw) if raw else None


# ---- calls -------------------------------------------------------------------------------------


def _echo_calls(rows: list[dict]) -> None:
    if not rows:
        typer.echo("no follow-up calls")
    for row in rows:
        late = "  OVERDUE" if row["overdue"] else ""
        hold = "  (shipping waits)" if row["blocks_shipping"] and row["state"] != "confirmed" else ""
        whom = row["whom"]
        typer.echo(f"{row['call_id']}  {row['application_id']}  {row['state']}  due {row['due_at'][:16]}{late}{hold}")
        typer.echo(f"    call {whom['legal_name']} of {whom['business_name']} on {whom['phone']}; "
                   f"tries so far: {len(row['attempts'])}")
        for item in row["confirm"]:
            typer.echo(f"    confirm {item['item']}: {item['value']}")


@calls_app.command("list")
@handles_errors
def calls_list(state: Annotated[Optional[list[str]], typer.Option("--state", help="open | confirmed | changed | "
                                                                                  "escalated (repeatable).")] = None,
               reveal: Annotated[bool, typer.Option("--reveal", help="Full phone numbers to dial (audited).")] = False,
               reason: Annotated[Optional[str], typer.Option("--reason", help="With --reveal: why.")] = None,
               json_: JsonFlag = False) -> None:
    """Calls to make, due first: whom, what to confirm, by when, the tries so far."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.domain.calls import CallState
    from onboarding.service.calls import call_rows

    for value in state or []:
        if value not in {s.value for s in CallState}:
            raise CliError(f"--state: unknown call state {value!r}")
    if reveal and not (reason or "").strip():
        raise CliError("--reveal needs --reason: who saw the phone numbers, and why, goes into the audit trail")
    emit(call_rows(cli_services(), state, reveal=reveal, actor=cli_actor(), reason=reason), json_, _echo_calls)


@calls_app.command("record")
@handles_errors
def calls_record(call_id: str,
                 outcome: Annotated[str, typer.Option("--outcome", help="confirmed | changed | unreachable")],
                 note: Annotated[str, typer.Option("--note", help="What was said or tried.")],
                 phone: PhoneOption = None, email: EmailOption = None, business_address: AddressOption = None,
                 settlement_account: AccountOption = None, json_: JsonFlag = False) -> None:
    """Record one try. `changed` takes the new details, which become a change request (the same checks)."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.call_outcomes import record_outcome

    change = _change_input(phone, email, business_address, settlement_account)
    view = record_outcome(cli_services(), call_id, outcome, note, actor=cli_actor(), change=change)
    _deliver()
    emit(view, json_, lambda row: _echo_calls([row]))


# ---- change requests ---------------------------------------------------------------------------


def _echo_change(view: dict) -> None:
    waiting = view["waiting_for"]
    typer.echo(f"{view['change_id']}  {view['application_id']}  {view['state']}  fields {', '.join(view['fields'])}")
    typer.echo(f"    new: {json.dumps(view['proposed'], ensure_ascii=False)}")
    if view["state"] in ("awaiting_merchant", "checking", "awaiting_approval"):
        parts = [f"code for the new {c}" for c in waiting["codes"]] + waiting["documents"]
        parts += ["staff approval"] if waiting["approval"] else []
        typer.echo(f"    waiting for: {', '.join(parts) or 'the checks'}")
    for finding in view["findings"]:
        typer.echo(f"    finding {finding['code']} ({finding.get('document_type') or '-'}): {finding['message_en']}")
    if view["reason"]:
        typer.echo(f"    {view['state']} by {view['decided_by']}: {view['reason']}")


@handles_errors
def change(application_id: str, settlement_account: AccountOption = None, phone: PhoneOption = None,
           email: EmailOption = None, business_address: AddressOption = None,
           doc: Annotated[list[str], typer.Option("--doc", help="TYPE=PATH, repeatable: the new documents.")] = [],
           wait: Annotated[bool, typer.Option("--wait", help="Return after the documents were checked.")] = False,
           json_: JsonFlag = False) -> None:
    """Change an approved merchant's details through the same checks; with --doc only, add documents to the
    open change request."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.cli.inputs import read_documents
    from onboarding.service.changes import change_view, request_change

    services = cli_services()
    files = read_documents(doc, services.settings.max_upload_bytes)
    new = _change_input(phone, email, business_address, settlement_account)
    if new is None and not files:
        raise CliError("nothing to change: give --phone, --email, --business-address, --settlement-account or --doc")
    change_id = request_change(services, application_id, new, files, actor=cli_actor())
    if change_view(services, change_id)["state"] == "checking":
        services.runs.run_and_wait([application_id]) if wait else services.runs.start([application_id])
    _deliver()
    emit(change_view(services, change_id), json_, _echo_change)



@changes_app.command("list")
@handles_errors
def changes_list(state: Annotated[Optional[list[str]], typer.Option("--state", help="e.g. awaiting_approval.")] = None,
                 json_: JsonFlag = False) -> None:
    """Change requests, oldest first; `--state awaiting_approval` is staff's list."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.domain.changes import ChangeState
    from onboarding.service.changes import change_rows

    for value in state or []:
        if value not in {s.value for s in ChangeState}:
            raise CliError(f"--state: unknown change state {value!r}")
    emit(change_rows(cli_services(), state), json_, lambda rows: [_echo_change(r) for r in rows] or None)


@changes_app.command("show")
@handles_errors
def changes_show(change_id: str, json_: JsonFlag = False) -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.changes import change_view

    emit(change_view(cli_services(), change_id), json_, _echo_change)


def _decide(change_id: str, approve: bool, reason: str, json_: bool) -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.changes import change_view, decide

    services = cli_services()
    decide(services, change_id, approve, actor=cli_actor(), reason=reason)
    _deliver()
    emit(change_view(services, change_id), json_, _echo_change)


@changes_app.command("approve")
@handles_errors
def changes_approve(change_id: str, reason: Reason, json_: JsonFlag = False) -> None:
    """Apply a checked change (settlement accounts always need this)."""
    _decide(change_id, True, reason, json_)


@changes_app.command("refuse")
@handles_errors
def changes_refuse(change_id: str, reason: Reason, json_: JsonFlag = False) -> None:
    """Refuse an open change; the merchant's details stay as they are."""
    _decide(change_id, False, reason, json_)


@changes_app.command("cancel")
@handles_errors
def changes_cancel(change_id: str, reason: Reason, json_: JsonFlag = False) -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.changes import cancel, change_view

    services = cli_services()
    cancel(services, change_id, actor=cli_actor(), reason=reason)
    emit(change_view(services, change_id), json_, _echo_change)


@changes_app.command("code")
@handles_errors
def changes_code(change_id: str, code: Annotated[str, typer.Option("--code", help="The code the merchant received "
                                                                                  "(e.g. read out on the phone).")],
                 json_: JsonFlag = False) -> None:
    """Enter a one-time code for the merchant."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.changes import change_view, enter_code

    services = cli_services()
    enter_code(services, change_id, code, actor=cli_actor())
    _deliver()
    emit(change_view(services, change_id), json_, _echo_change)


@changes_app.command("resend")
@handles_errors
def changes_resend(change_id: str, field: Annotated[str, typer.Option("--field", help="phone | email")],
                   json_: JsonFlag = False) -> None:
    """Send a new code to the new phone or e-mail (the old code stops working)."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.changes import change_view, resend_code

    services = cli_services()
    resend_code(services, change_id, field, actor=cli_actor())
    _deliver()
    emit(change_view(services, change_id), json_, _echo_change)


# ---- complaints --------------------------------------------------------------------------------


def _echo_complaints(rows: list[dict]) -> None:
    if not rows:
        typer.echo("no complaints")
    for row in rows:
        typer.echo(f"{row['complaint_id']}  {row['application_id']}  {row['category']}  {row['state']}  "
                   f"opened {row['opened_at'][:16]} by {row['opened_by']}")
        for clock in row["clocks"]:
            met = f"met {clock['met_at'][:16]}" if clock["met_at"] else "not met"
            typer.echo(f"    {clock['stage']:<13} due {clock['due_at'][:16]}  {met}  [{clock['status']}]")
        if row.get("deposit"):
            d = row["deposit"]
            typer.echo(f"    deposit {d['state']}: {d['qualifying_volume_fen'] / 100:,.2f} of "
                       f"{d['threshold_fen'] / 100:,.2f} yuan, deadline {d['deadline'] or 'after activation'}; "
                       f"{d['counted']} transaction(s) counted, {d['not_counted']} not")
            for t in d["transactions"]:
                typer.echo(f"      {t['txn_id']}  {t['occurred_at'][:16]}  {t['kind']:<8} {t['channel']:<16} "
                           f"{t['amount_fen'] / 100:>10,.2f}  → {t['counted_fen'] / 100:>+10,.2f}  {t['reason']}")


@complaints_app.command("open")
@handles_errors
def complaints_open(application_id: str,
                    category: Annotated[str, typer.Option("--category", help="deposit | transactions | frozen | "
                                                                             "activation | documents | other")],
                    text: Annotated[str, typer.Option("--text", help="What the merchant says.")],
                    attachment: Annotated[Optional[Path], typer.Option("--attachment", help="A photo or "
                                                                       "screenshot (JPEG, PNG, WebP, PDF).")] = None,
                    json_: JsonFlag = False) -> None:
    """Open a complaint for a merchant (e.g. from a call); its clocks start now."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.cli.inputs import read_documents
    from onboarding.service.complaints import complaint_view, open_complaint

    services = cli_services()
    files = read_documents([f"interior_photo={attachment}"], services.settings.max_upload_bytes) if attachment else []
    complaint_id = open_complaint(services, application_id, category, text, actor=cli_actor(),
                                  attachment=files[0] if files else None)
    _deliver()
    emit(complaint_view(services, complaint_id), json_, lambda view: _echo_complaints([view]))


@complaints_app.command("list")
@handles_errors
def complaints_list(state: Annotated[Optional[str], typer.Option(
                        "--state", help="open (still being worked: open, acknowledged, answered) | resolved | "
                                        "closed | …")] = None,
                    json_: JsonFlag = False) -> None:
    """Complaints with their clocks (due, met, breached); deposit complaints with the terminal's volume."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.complaints import complaint_rows

    emit(complaint_rows(cli_services(), state), json_, _echo_complaints)


@complaints_app.command("show")
@handles_errors
def complaints_show(complaint_id: str, json_: JsonFlag = False) -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.complaints import complaint_view

    emit(complaint_view(cli_services(), complaint_id), json_, lambda view: _echo_complaints([view]))


def _act(complaint_id: str, action: str, text: str, json_: bool) -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.complaints import act

    view = act(cli_services(), complaint_id, action, actor=cli_actor(), text=text)
    _deliver()
    emit(view, json_, lambda v: _echo_complaints([v]))


@complaints_app.command("ack")
@handles_errors
def complaints_ack(complaint_id: str, json_: JsonFlag = False) -> None:
    """Acknowledge: staff have taken it on (the merchant is told)."""
    _act(complaint_id, "acknowledge", "", json_)


@complaints_app.command("answer")
@handles_errors
def complaints_answer(complaint_id: str, text: Annotated[str, typer.Option("--text", help="To the merchant.")],
                      json_: JsonFlag = False) -> None:
    """Answer the merchant (the first answer meets the 24 h clock)."""
    _act(complaint_id, "answer", text, json_)


@complaints_app.command("resolve")
@handles_errors
def complaints_resolve(complaint_id: str, text: Annotated[str, typer.Option("--text", help="The resolution, to "
                                                                                            "the merchant.")],
                       json_: JsonFlag = False) -> None:
    """Give the resolution; the merchant confirms it through their link (or reopens)."""
    _act(complaint_id, "resolve", text, json_)


@complaints_app.command("close")
@handles_errors
def complaints_close(complaint_id: str, reason: Reason, json_: JsonFlag = False) -> None:
    """Close with a reason (e.g. confirmed by the merchant on the phone)."""
    _act(complaint_id, "close", reason, json_)


@complaints_app.command("reopen")
@handles_errors
def complaints_reopen(complaint_id: str, reason: Reason, json_: JsonFlag = False) -> None:
    """Reopen a resolved or closed complaint (within the rule files' reopen days): new clocks."""
    _act(complaint_id, "reopen", reason, json_)
