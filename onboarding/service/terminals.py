"""Terminal inventory, assignment to an approved application, and shipping (which takes the deposit)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from onboarding.adapters.unit_of_work import UnitOfWork
from onboarding.domain.model import Application
from onboarding.domain.ledger_rules import LedgerLimits, RuleScope
from onboarding.domain.states import ApplicationState
from onboarding.domain.terminals import LedgerError, Terminal, TerminalState, binding_for, take_deposit
from onboarding.service import ledger_csv
from onboarding.service.calls import shipping_hold
from onboarding.service.merchant_links import link_for_notice
from onboarding.service.deposit_notices import DepositFacts, deposit_notices, yuan
from onboarding.service.ports import SealedRecords
from rules.deposit_policy import DepositPolicies, load_deposit_policies

ACTOR = "engine"
SHIPPED_STATES = frozenset({TerminalState.SHIPPED, TerminalState.ACTIVE, TerminalState.SUSPENDED})


class NoTerminalInStock(LedgerError):
    pass


class ShippingOnHold(LedgerError):
    """The rule files make this merchant's terminal wait for a confirmed follow-up call."""


@dataclass(frozen=True)
class Shipment:
    application_id: str
    serial_number: str
    deposit_amount_fen: int
    shipped_at: datetime
    already_shipped: bool  # True when this call found the terminal already shipped and changed nothing

    def to_dict(self) -> dict:
        return {**asdict(self), "shipped_at": self.shipped_at.isoformat()}


def policies_of(services: SealedRecords) -> DepositPolicies:
    return load_deposit_policies(services.settings.rules_dir)


def ledger_limits(services: SealedRecords) -> LedgerLimits:
    settings = services.settings
    return LedgerLimits(max_transaction_fen=settings.ledger_max_transaction_fen,
                        max_terminal_fen=settings.ledger_max_terminal_fen,
                        future_skew=timedelta(minutes=settings.ledger_future_skew_minutes))


def rule_scope(services: SealedRecords) -> RuleScope:
    return RuleScope(ledger_limits(services), tuple(policies_of(services).models))


def add_terminal(services: SealedRecords, serial_number: str, model: str) -> bool:
    """Adds one terminal to stock; False when it is already there with the same model (nothing changes)."""
    serial_number, model = serial_number.strip(), model.strip()
    if problem := ledger_csv.serial_number_problem(serial_number):
        raise LedgerError(problem)
    policies_of(services).for_model(model)
    try:
        return _add(services, {serial_number: (1, model)}, [], serial_number) == 1
    except ledger_csv.BatchRejected as rejected:
        raise LedgerError(rejected.problems[0][1]) from None


def import_terminals(services: SealedRecords, csv_path: Path | str) -> dict[str, int]:
    """Adds the terminals of a `serial_number,model` CSV, all or nothing; says how many were new."""
    data, source = ledger_csv.read_source(csv_path, None)
    models = policies_of(services).models
    problems: list[tuple[int, str]] = []
    wanted: dict[str, tuple[int, str]] = {}
    for line, fields in ledger_csv.rows(data, ledger_csv.TERMINAL_COLUMNS):
        if isinstance(fields, str):
            problems.append((line, fields))
            continue
        serial_number, model = fields
        if problem := ledger_csv.serial_number_problem(serial_number):
            problems.append((line, problem))
        elif model not in models:
            problems.append((line, f"model: no deposit policy for {model!r} (known: {', '.join(models)})"))
        elif serial_number in wanted:
            problems.append((line, f"serial number {serial_number} repeats line {wanted[serial_number][0]}"))
        else:
            wanted[serial_number] = (line, model)
    rows = len(wanted) + len(problems)
    added = _add(services, wanted, problems, source)
    return {"rows": rows, "added": added, "already_in_stock": rows - added}


def _add(services: SealedRecords, wanted: dict[str, tuple[int, str]], problems: list, source: str) -> int:
    with services.uow() as uow:
        for serial_number, model in uow.ledger.existing_terminals(wanted).items():
            line, wanted_model = wanted.pop(serial_number)
            if model != wanted_model:
                problems.append((line, f"terminal {serial_number} is already in inventory as a {model}"))
        if problems:
            raise ledger_csv.BatchRejected(source, problems)
        now = services.clock()
        uow.ledger.add_terminals([Terminal(serial_number=sn, model=model, added_at=now)
                                  for sn, (_, model) in wanted.items()])
        uow.commit()
    return len(wanted)


def assign_terminal(services: SealedRecords, application_id: str, *, actor: str = ACTOR) -> str | None:
    """The serial number of the application's terminal, assigning an in-stock one of its device model if it
    has none yet; None when none is in stock. Calling it again returns the same terminal."""
    for attempt in range(2):
        try:
            with services.uow() as uow:
                application = uow.applications.get(application_id, for_update=True)
                current = uow.ledger.terminal_for_application(application_id)
                if current is not None:
                    return current.serial_number
                _require_approved(application)
                policies_of(services).for_model(application.device_model)
                serial_number = _claim(uow, application, services.clock(), actor)
                uow.commit()
                return serial_number
        except IntegrityError:
            if attempt:  # one terminal per application: a concurrent call won, the next read returns its pick
                raise
    return None


def ship(services: SealedRecords, application_id: str, serial_number: str | None = None, *,
         actor: str = ACTOR) -> Shipment:
    """approved → shipped: the terminal ships bound to the merchant, the deposit is taken, the merchant told.

    With `serial_number`, staff name the unit they packed (another one assigned earlier goes back to stock).
    Shipping an already shipped application returns its shipment and changes nothing.
    """
    policies = policies_of(services)
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        terminal = uow.ledger.terminal_for_application(application_id)
        if terminal is not None and terminal.state in SHIPPED_STATES:
            return _already_shipped(uow, terminal, serial_number)
        _require_approved(application)
        if (hold := shipping_hold(uow, application_id)) is not None:
            raise ShippingOnHold(f"application {application_id}: {hold}")
        policy = policies.for_model(application.device_model)
        now = services.clock()
        terminal = _terminal_to_ship(uow, application, terminal, serial_number, now, actor)
        terminal.ship(application.id, binding_for(application, terminal.serial_number), policy, now)
        uow.ledger.save_terminal(terminal, was=TerminalState.ASSIGNED)
        deposit = take_deposit(application.id, terminal.serial_number, policy, policies.version_label, now)
        uow.ledger.add_deposit(deposit)
        reason = f"terminal {terminal.serial_number} shipped; deposit {yuan(deposit.amount_fen)} held"
        application.transition(ApplicationState.SHIPPED, actor=actor, at=now, reason=reason)
        facts = DepositFacts(application_id=application.id, state=deposit.state, serial_number=terminal.serial_number,
                             amount_fen=deposit.amount_fen, threshold_fen=deposit.threshold_fen,
                             window_days=deposit.window_days, volume_fen=0,
                             account_number=application.settlement_number, email=application.email,
                             phone=application.phone, link=link_for_notice(services, application, now))
        for message in deposit_notices(facts, now):
            uow.outbox.enqueue(message)
        uow.commit()
        return Shipment(application.id, terminal.serial_number, deposit.amount_fen, now, already_shipped=False)


def _require_approved(application: Application) -> None:
    if application.state != ApplicationState.APPROVED:
        raise LedgerError(f"application {application.id} is {application.state}; only an approved one gets a terminal")


def _claim(uow: UnitOfWork, application: Application, now: datetime, actor: str) -> str | None:
    serial_number = uow.ledger.claim_terminal(application.device_model, application.id, now)
    if serial_number is not None:
        application.record(at=now, actor=actor, action="terminal_assigned",
                           details={"serial_number": serial_number, "model": application.device_model})
    return serial_number


def _already_shipped(uow: UnitOfWork, terminal: Terminal, serial_number: str | None) -> Shipment:
    if serial_number and serial_number != terminal.serial_number:
        raise LedgerError(
            f"application {terminal.application_id} already shipped with terminal {terminal.serial_number}")
    deposit = uow.ledger.deposit_for(terminal.application_id)
    return Shipment(terminal.application_id, terminal.serial_number, deposit.amount_fen if deposit else 0,
                    terminal.shipped_at, already_shipped=True)


def _terminal_to_ship(uow: UnitOfWork, application: Application, assigned: Terminal | None,
                      serial_number: str | None, now: datetime, actor: str) -> Terminal:
    if serial_number is None or (assigned is not None and assigned.serial_number == serial_number):
        if assigned is not None:
            return assigned
        claimed = _claim(uow, application, now, actor)
        if claimed is None:
            raise NoTerminalInStock(f"no {application.device_model} terminal in stock for application {application.id}")
        return uow.ledger.get_terminal(claimed)
    chosen = uow.ledger.get_terminal(serial_number)
    if chosen is None:
        raise LedgerError(f"no terminal {serial_number} in inventory")
    if chosen.model != application.device_model:
        raise LedgerError(f"terminal {serial_number} is a {chosen.model}; application {application.id} "
                          f"needs a {application.device_model}")
    if assigned is not None:
        assigned.release()
        uow.ledger.save_terminal(assigned, was=TerminalState.ASSIGNED)
        application.record(at=now, actor=actor, action="terminal_released",
                           details={"serial_number": assigned.serial_number})
    chosen.assign(application.id, now)  # refuses a terminal that is not in stock
    uow.ledger.save_terminal(chosen, was=TerminalState.IN_STOCK)
    application.record(at=now, actor=actor, action="terminal_assigned",
                       details={"serial_number": chosen.serial_number, "model": chosen.model})
    return chosen
