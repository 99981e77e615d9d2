"""`onboard`: the command line staff, ops, scripts and acceptance checks drive the engine through."""
from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer

from onboarding.bootstrap import Services
from onboarding.cli import render
from onboarding.cli.aftercare_commands import calls_app, change, changes_app, complaints_app
from onboarding.cli.common import JsonFlag, cli_actor, cli_services, emit
from onboarding.cli.errors import CliError, fail, handles_errors
from onboarding.cli.backoffice_command import backoffice
from onboarding.cli.ledger_commands import deposits_app, ship, terminals_app, transactions_app
from onboarding.cli.ledger_review_commands import register_ledger_review
from onboarding.cli.portal_command import portal
from onboarding.cli.serve_command import serve
from onboarding.cli.report_command import report
from onboarding.cli.review_commands import review_app
from onboarding.cli.security_commands import keys_app, purge
from onboarding.cli.staff_commands import staff_app
from onboarding.cli.rules_what_if import what_if
from onboarding.cli.inputs import parse_as_of, parse_document_type, read_application_file, read_documents
from onboarding.domain.states import ApplicationState

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Merchant POS onboarding: submit, check, request documents, activate, track deposits.")
rules_app = typer.Typer(no_args_is_help=True, help="Rule files: validate, try out.")
app.add_typer(rules_app, name="rules")
app.add_typer(review_app, name="review")
rules_app.command("what-if")(what_if)
app.add_typer(terminals_app, name="terminals")
app.add_typer(transactions_app, name="transactions")
app.add_typer(deposits_app, name="deposits")
register_ledger_review(terminals_app, transactions_app, deposits_app)
app.add_typer(keys_app, name="keys")
app.add_typer(staff_app, name="staff")
app.command()(backoffice)
app.command()(ship)
app.command()(portal)
app.command()(serve)
app.command()(report)
app.command()(purge)
app.add_typer(calls_app, name="calls")
app.add_typer(changes_app, name="changes")
app.add_typer(complaints_app, name="complaints")
app.command()(change)

@app.callback()
def main(env_file: Annotated[Optional[Path], typer.Option(
        "--env-file", help="Read ONBOARD_* settings from this file (default: ONBOARD_HOME/.env; never ./.env).")]
         = None) -> None:
    """Merchant POS onboarding: submit, check, request documents, activate, track deposits."""
    if env_file is not None:
        # imported when the command runs: `onboard --help` and the other commands start without it
        from onboarding.bootstrap import reset_services
        from onboarding.settings import ENV_FILE_VARIABLE

        if not env_file.is_file():
            fail(f"--env-file {env_file}: no such file")
        os.environ[ENV_FILE_VARIABLE] = str(env_file.resolve())  # child processes read the same file
        reset_services()


@app.command()
@handles_errors
def config(json_: JsonFlag = False) -> None:
    """The settings in force, secrets hidden, and where each came from (environment, env file, default)."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.settings import describe_settings, get_settings

    emit(describe_settings(get_settings()), json_, render.settings)


DocsOption = Annotated[list[str], typer.Option("--doc", help="TYPE=PATH, repeatable.")]
WaitFlag = Annotated[bool, typer.Option("--wait", help="Return after the decision.")]


def _run_or_start(services: Services, application_id: str, wait: bool) -> None:
    if wait:
        services.runs.run_and_wait([application_id])
    else:
        services.runs.start([application_id])


@app.command()
@handles_errors
def submit(app_file: Path, doc: DocsOption = [], wait: WaitFlag = False, json_: JsonFlag = False) -> None:
    """Create an application, store its documents, start onboarding."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.application_input import parse_application
    from onboarding.service.submission import submit_application
    from onboarding.service.views import application_view

    # imported when the command runs: `onboard --help` and the other commands start without it
    from rules.deposit_policy import load_deposit_policies

    services = cli_services()
    models = load_deposit_policies(services.settings.rules_dir).models
    payload = parse_application(read_application_file(app_file), models)
    files = read_documents(doc, services.settings.max_upload_bytes)
    application_id = submit_application(services, payload, files, actor=cli_actor())
    if wait:  # whoever stops waiting (Ctrl-C, a killed terminal) still knows what to look up
        typer.echo(f"{application_id} submitted; waiting for the decision", err=True)
    _run_or_start(services, application_id, wait)
    emit(application_view(services, application_id), json_, render.application)


@app.command()
@handles_errors
def upload(application_id: str, doc: DocsOption = [], wait: WaitFlag = False, json_: JsonFlag = False) -> None:
    """Add documents to an application (staff on behalf of a merchant); re-runs the checks."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.submission import add_documents
    from onboarding.service.views import application_view

    services = cli_services()
    files = read_documents(doc, services.settings.max_upload_bytes)
    add_documents(services, application_id, files, actor=cli_actor())
    _run_or_start(services, application_id, wait)
    emit(application_view(services, application_id), json_, render.application)


@app.command()
@handles_errors
def show(application_id: str,
         reveal: Annotated[bool, typer.Option("--reveal", help="Show ID and card numbers in full (audited).")] = False,
         reason: Annotated[Optional[str], typer.Option("--reason", help="With --reveal: why, for the audit trail.")] = None,
         json_: JsonFlag = False) -> None:
    """State, documents, extracted fields, deficiencies, terminal, deposit, history."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.views import application_view

    if reveal and not (reason or "").strip():
        raise CliError("--reveal needs --reason: who saw the full numbers, and why, goes into the audit trail")
    emit(application_view(cli_services(), application_id, reveal=reveal, actor=cli_actor(), reason=reason), json_,
         render.application)


@app.command()
@handles_errors
def status(state: Annotated[Optional[list[str]], typer.Option("--state", help="Only these states (repeatable).")] = None,
           merchant_type: Annotated[Optional[str], typer.Option("--type", help="small_micro | sole_trader | enterprise")] = None,
           older_than_hours: Annotated[Optional[float], typer.Option("--older-than", help="Only those in their state longer than this many hours.")] = None,
           json_: JsonFlag = False) -> None:
    """Every application: id, merchant, state, age, SLA colour, open request, blocker; counts per state."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.views import status_rows
    from rules.model import MerchantType

    states = []
    for value in state or []:
        try:
            states.append(ApplicationState(value))
        except ValueError:
            raise CliError(f"--state: unknown state {value!r}") from None
    if merchant_type is not None and merchant_type not in {m.value for m in MerchantType}:
        raise CliError(f"--type: unknown merchant type {merchant_type!r}")
    rows = [r for r in status_rows(cli_services(), states)
            if (merchant_type is None or r["merchant_type"] == merchant_type)
            and (older_than_hours is None or r["in_state_hours"] >= older_than_hours)]
    emit(rows, json_, render.status)


@app.command()
@handles_errors
def ocr(path: Path, type_: Annotated[str, typer.Option("--type", help="Document type.")], json_: JsonFlag = False) -> None:
    """OCR one file and print the extracted fields."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from documents.fields import extract_fields
    from documents.intake import IntakeRefused, inspect_upload

    services = cli_services()
    document_type = parse_document_type(type_)
    (file,) = read_documents([f"{document_type}={path}"], services.settings.max_upload_bytes)
    try:
        image = inspect_upload(file.data, document_type, services.intake_limits).image
    except IntakeRefused as refusal:
        raise CliError(f"{path}: {refusal}") from None
    reading = services.ocr.read(image, document_type)
    fields = extract_fields(reading, document_type)
    result = {"document_type": str(document_type), "engine": reading.engine,
              "fields": {name: field.model_dump() for name, field in fields.items()}}
    emit(result, json_, render.ocr_result)


@app.command()
@handles_errors
def batch(directory: Annotated[Path, typer.Argument(help="One folder per application: application.json and "
                                                         "<document type>.<ext> files.")],
          wait: WaitFlag = False, json_: JsonFlag = False) -> None:
    """Submit a folder of applications at once (all checked before any is stored) and onboard them together."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.batch import find_entries, submit_batch
    from onboarding.service.views import batch_rows

    started = time.perf_counter()
    seconds: dict[str, float] = {}
    services = cli_services()
    runs = services.runs
    if wait:
        runs.warm_up()  # the orchestrator starts while the files are checked
    entries = find_entries(directory)
    # With --wait, each application's OCR starts as soon as it is stored (here, or in a serve's runner), while
    # the rest are stored and the orchestrator starts.
    submitted = submit_batch(services, entries, actor=cli_actor(),
                             stored=(lambda application_id: runs.warm_up([application_id])) if wait else None)
    application_ids = [s.application_id for s in submitted]
    seconds["stored"] = time.perf_counter() - started
    if wait:
        runs.wait_ready()
        seconds["orchestrator_ready"] = time.perf_counter() - started
        runs.run_and_wait(application_ids)
        seconds["onboarded"] = time.perf_counter() - started
    else:
        runs.start(application_ids)
    rows = batch_rows(services, submitted)
    emit({"applications": rows, "seconds": {k: round(v, 3) for k, v in seconds.items()}}, json_, render.batch)


@app.command()
@handles_errors
def rerun(application_ids: Annotated[Optional[list[str]], typer.Argument(help="Applications; or use --failed.")] = None,
          from_: Annotated[Optional[str], typer.Option("--from", help="ocr (read the documents again) | check (extract the fields again from what was read, then the rules)")] = None,
          failed: Annotated[bool, typer.Option("--failed", help="Every application a failed or crashed run left.")] = False,
          grace_minutes: Annotated[int, typer.Option(help="With --failed: in scale-out (where a run's process cannot be seen from here) runs older than this count as stalled; on the embedded default a run whose process ended counts at once.")] = 5,
          queued: Annotated[bool, typer.Option("--queued", hidden=True,
                                               help="The background runner: what starts without --wait queued.")] = False,
          follow: Annotated[bool, typer.Option("--follow", hidden=True,
                                               help="With --queued: keep taking the queue (onboard serve's runner).")] = False,
          json_: JsonFlag = False) -> None:
    """Run the flow again: finished steps are reused, side effects are not repeated."""

    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.checking import nothing_to_rerun
    from onboarding.service.run_activity import failed_run_plan
    from onboarding.service.runs import FORMER_RERUN_STEPS, RERUN_STEPS
    from onboarding.service.views import application_view

    if from_ in FORMER_RERUN_STEPS:
        raise CliError(f"--from {from_} redid exactly what --from {FORMER_RERUN_STEPS[from_]} does: use "
                       f"--from {FORMER_RERUN_STEPS[from_]} (steps: {', '.join(RERUN_STEPS)})")
    if from_ is not None and from_ not in RERUN_STEPS:
        raise CliError(f"--from: unknown step {from_!r} (steps: {', '.join(RERUN_STEPS)})")
    if queued:
        runs = cli_services().runs
        if not hasattr(runs, "take_queued"):
            raise CliError("--queued: runs go to the Prefect work pool here (ONBOARD_PREFECT_DEPLOYMENT), no queue")
        states = runs.take_queued(follow=follow)
        emit([{"application_id": a, "state": s} for a, s in states.items()], json_, render.rerun_results)
        return
    if bool(application_ids) == failed:
        raise CliError("give application ids or --failed (not both)")
    services = cli_services()
    if application_ids and len(application_ids) == 1:
        application_id = application_ids[0]
        # A finished application is answered from our database: no orchestrator started, nothing repeated.
        reason = None if from_ else nothing_to_rerun(services, application_id)
        if reason is None:
            services.runs.run_and_wait([application_id], from_step=from_)
        view = application_view(services, application_id)
        emit({**view, "rerun": {"ran": reason is None, "reason": reason}}, json_, render.application)
        return
    targets = application_ids
    if failed:
        plan = failed_run_plan(services, timedelta(minutes=grace_minutes))
        for application_id, why in plan.skipped.items():
            typer.echo(f"skipped {application_id}: {why}", err=True)
        targets = plan.targets
    with render.working(f"rerunning {len(targets)} application(s)", json_ or not targets):
        states = services.runs.run_and_wait(targets, from_step=from_) if targets else {}
    emit([{"application_id": a, "state": s} for a, s in states.items()], json_, render.rerun_results)


@app.command()
@handles_errors
def sweep(as_of: Annotated[Optional[str], typer.Option("--as-of", help="ISO 8601 with offset; default now.")] = None,
          dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what the sweep would do; change nothing, "
                                                                   "send nothing.")] = False,
          allow_future: Annotated[bool, typer.Option("--allow-future", help="Let --as-of be later than now (test "
                                                     "and training installations); recorded in the audit trail.")] = False,
          json_: JsonFlag = False) -> None:
    """Reminders, expiries, activations, deposit refunds/forfeits due at that time."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.sweep import sweep_at

    services = cli_services()
    with render.working("sweeping: reminders, expiries, activations, deposits, messages", json_):
        report = sweep_at(services, parse_as_of(as_of), dry_run=dry_run, allow_future=allow_future,
                          actor=cli_actor())
    emit(report, json_, render.sweep)


@app.command()
@handles_errors
def revoke(application_id: str, reason: Annotated[str, typer.Option(help="Why, for the audit trail.")],
           json_: JsonFlag = False) -> None:
    """Staff: every upload link of the application stops working."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.requests import revoke_links

    revoked = revoke_links(cli_services(), application_id, actor=cli_actor(), reason=reason)
    emit({"application_id": application_id, "revoked": revoked}, json_,
         lambda d: typer.echo(f"{d['revoked']} link(s) revoked"))


@app.command()
@handles_errors
def reissue(application_id: str, reason: Annotated[str, typer.Option(help="Why, for the audit trail.")],
            phone: Annotated[Optional[str], typer.Option(help="The merchant's new mobile number.")] = None,
            email: Annotated[Optional[str], typer.Option(help="The merchant's new e-mail address.")] = None,
            json_: JsonFlag = False) -> None:
    """Staff: change the contact and send a new link there; every older link stops (after `revoke`, the phone
    or e-mail must change)."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.masking import mask_number
    from onboarding.service.casework import change_contact
    from onboarding.service.case_view import mask_recipient

    reissued = change_contact(cli_services(), application_id, phone=phone, email=email, actor=cli_actor(),
                              reason=reason)
    emit({"application_id": application_id, "reissued": reissued,
          "phone": mask_number(phone) if phone else None, "email": mask_recipient(email) if email else None}, json_,
         lambda d: typer.echo("contact changed; old links stopped, a new link was sent" if d["reissued"]
                              else "contact changed"))


@app.command()
@handles_errors
def demo(count: Annotated[int, typer.Option(help="How many sample applications.")] = 10,
         json_: JsonFlag = False) -> None:
    """The main job on the embedded default: sample applications end to end."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.demo import run_demo

    emit(run_demo(cli_services(), count, progress=not json_), json_, render.demo)


@rules_app.command("check")
@handles_errors
def rules_check(directory: Annotated[Optional[Path], typer.Argument(help="Rule files; default the packaged ones.")] = None,
                json_: JsonFlag = False) -> None:
    """Validate the rule files; a broken one is named with its line."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from rules.ruleset import load_ruleset

    # imported when the command runs: `onboard --help` and the other commands start without it
    from rules.aftercare_policy import load_aftercare_policy

    chosen = directory or cli_services().settings.rules_dir
    ruleset = load_ruleset(chosen)
    aftercare = load_aftercare_policy(chosen)
    emit({"ok": True, "version": ruleset.version_label, "aftercare_version": aftercare.version_label}, json_,
         lambda d: typer.echo(f"rules OK: {d['version']}, aftercare {d['aftercare_version']}"))


if __name__ == "__main__":
    app()
