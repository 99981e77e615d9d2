"""Human output for the CLI (rich). JSON output never passes through here."""
from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from rich.console import Console
from rich.table import Table

STATE_STYLE = {
    "approved": "green", "shipped": "green", "active": "bold green", "needs_documents": "yellow",
    "manual_review": "magenta", "checking": "cyan", "submitted": "cyan", "rejected": "red",
    "expired": "red", "withdrawn": "dim",
}


def _console() -> Console:
    console = Console()
    # Piped output (CI logs, `| less`) gets no terminal width; 80 columns would cut every table.
    return console if console.is_terminal else Console(width=160)


def _state(state: str) -> str:
    return f"[{STATE_STYLE.get(state, 'white')}]{state}[/]"


def application(view: dict[str, Any]) -> None:
    console = _console()
    console.print(f"[bold]{view['application_id']}[/]  {view['business_name']}  ({view['merchant_type']})  "
                  f"{_state(view['state'])}")
    console.print(f"legal person {view['legal_name']}  ID {view['id_number']}  phone {view['phone']}  "
                  f"account {view['settlement_account']['number']}")
    if view["decision"]:
        d = view["decision"]
        console.print(f"decision {d['outcome']} at {d['decided_at']}  rules {d['rules_version']}  ocr {d['ocr_engine']}")
    docs = Table("document", "uploaded", "size", "fields read", title="Documents")
    for doc in view["documents"]:
        if not doc["current"]:
            continue
        fields = ", ".join(f"{k}={v.get('value')} ({v.get('confidence', 0):.2f})" for k, v in (doc["fields"] or {}).items())
        docs.add_row(doc["document_type"], doc["uploaded_at"][:16], f"{doc['width']}×{doc['height']}", fields or "—")
    console.print(docs)
    if view["deficiencies"]:
        table = Table("code", "document", "message", "staff note", title="Deficiencies")
        for d in view["deficiencies"]:
            table.add_row(d["code"], d.get("document_type") or "", d["message_zh"] + "\n" + d["message_en"],
                          d.get("staff_note", ""))
        console.print(table)
    for r in view.get("requests", []):
        open_items = ", ".join(f"{i['code']}:{i.get('document_type') or ''}" for i in r["items"] if i["status"] == "open")
        console.print(f"request round {r['round']} [{r['status']}] opened {r['created_at'][:16]} due {r['due_at'][:16]}"
                      f"  reminders {', '.join(r['reminders_sent']) or '—'}  open: {open_items or '—'}")
    if view.get("request") and view["request"].get("url"):
        console.print(f"upload link: {view['request']['url']}")
    for w in view.get("warnings", []):
        console.print(f"[yellow]warning[/] {w['code']}: {w.get('staff_note', '')}")
    for m in view.get("messages", []):
        if m["status"] == "unknown":
            console.print(f"[red]message {m['key']}[/] ({m['channel']}): outcome unknown since "
                          f"{m['outcome_unknown_at'][:16]}; not resent, staff decide")
    _ledger(console, view.get("terminal"), view.get("deposit"))
    _aftercare(console, view)
    history = Table("at", "actor", "action", "from → to", "reason", title="History")
    for e in view["history"]:
        arrow = f"{e['from_state'] or ''} → {e['to_state'] or ''}" if e["to_state"] else ""
        history.add_row(e["at"][:19], e["actor"], e["action"], arrow, e["reason"])
    console.print(history)


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"¥{fen / 100:,.2f}"


def _ledger(console: Console, terminal: dict[str, Any] | None, deposit: dict[str, Any] | None) -> None:
    """The terminal and deposit sections of `onboard show`."""
    if terminal:
        table = Table("serial number", "model", "state", "shipped", "activation deadline", "activated",
                      "last transaction", title="Terminal")
        table.add_row(terminal["serial_number"], terminal.get("model") or "", _state(terminal["state"]),
                      (terminal.get("shipped_at") or "—")[:16],
                      (terminal.get("activation_deadline") or "—")[:16]
                      + (" [red]overdue[/]" if terminal.get("activation_overdue") else ""),
                      (terminal.get("activated_at") or "—")[:16], (terminal.get("last_transaction_at") or "—")[:16])
        console.print(table)
    if deposit:
        table = Table("amount", "state", "qualifying volume", "threshold", "deadline", "decided", title="Deposit")
        table.add_row(_yuan(deposit["amount_fen"]), deposit["state"], _yuan(deposit.get("qualifying_volume_fen")),
                      _yuan(deposit.get("threshold_fen")), (deposit.get("deadline") or "not yet activated")[:16],
                      (deposit.get("decided_at") or "—")[:16])
        console.print(table)
    if not terminal and not deposit:
        console.print("terminal —  deposit —")


SLA_STYLE = {"green": "[green]●[/]", "yellow": "[yellow]●[/]", "red": "[bold red]●[/]", "none": ""}


def status(rows: list[dict[str, Any]]) -> None:
    table = Table("application", "merchant", "type", "state", "SLA", "age h", "in state h", "request", "blocker")
    for r in rows:
        request = f"round {r['request_round']}, {r['request_age_hours']:.1f} h" if r["request_round"] else ""
        state = "[red]stalled[/red]" if r.get("run") == "stalled" else _state(r["state"])
        table.add_row(r["application_id"], r["merchant"], r["merchant_type"], state,
                      SLA_STYLE.get(r["sla"], ""), f"{r['age_hours']:.1f}", f"{r['in_state_hours']:.1f}", request,
                      r["blocker"])
    _console().print(table)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["state"]] = counts.get(r["state"], 0) + 1
    _console().print("  ".join(f"{_state(s)} {n}" for s, n in sorted(counts.items())) or "no applications")


def ocr_result(result: dict[str, Any]) -> None:
    table = Table("field", "value", "confidence", title=f"{result['document_type']} — {result['engine']}")
    for name, field in result["fields"].items():
        table.add_row(name, str(field.get("value")), f"{field.get('confidence', 0):.2f}")
    _console().print(table)


def demo(result: dict[str, Any]) -> None:
    table = Table("application", "type", "scenario", "state", "deficiencies", "as planted", "decided after s",
                  title=f"Demo: {len(result['applications'])} applications in {result['seconds']:.1f} s")
    for r in result["applications"]:
        planted = set(r["expected"]) == set(r["deficiencies"])
        table.add_row(r["application_id"], r["merchant_type"], r["scenario"], _state(r["state"]),
                      ", ".join(r["deficiencies"]) or "—", "[green]yes[/]" if planted else "[yellow]no[/]",
                      "—" if r["seconds"] is None else f"{r['seconds']:.1f}")
    console = _console()
    console.print(table)
    console.print(f"Data in {result['home']}; try `onboard status`, `onboard show APP-…`, messages in outbox/.")


def sweep(report: dict[str, Any]) -> None:
    console = _console()
    dry = " (dry run: nothing was changed or sent)" if report.get("dry_run") else ""
    console.print(f"[bold]sweep as of {report['as_of']}{dry}[/]")
    for section, values in report.items():
        if isinstance(values, dict):
            console.print(f"  {section}: " + ", ".join(f"{k} {v}" for k, v in values.items() if not isinstance(v, list)))


def progress(items: list, description: str, quiet: bool):
    """Yields the items with a progress bar on stderr (none in --json mode)."""
    # heavy import, paid only on the path that needs it
    from rich.progress import track

    if quiet or not items:
        yield from items
        return
    yield from track(items, description=description, console=Console(stderr=True))


def batch(result: dict[str, Any]) -> None:
    rows, seconds = result["applications"], result["seconds"]
    took = f" and onboarded in {seconds['onboarded']:.1f} s" if "onboarded" in seconds else ""
    table = Table("folder", "application", "type", "state", "deficiencies",
                  title=f"{len(rows)} application(s) submitted{took}")
    for r in rows:
        table.add_row(r["name"], r["application_id"], r["merchant_type"], _state(r["state"]),
                      ", ".join(r["deficiencies"]) or "—")
    _console().print(table)


def rerun_results(rows: list[dict[str, Any]]) -> None:
    table = Table("application", "state", title=f"{len(rows)} application(s) rerun")
    for r in rows:
        table.add_row(r["application_id"], _state(r["state"]))
    _console().print(table)


def working(description: str, quiet: bool):
    """A spinner on stderr for one long step whose progress cannot be counted (a bulk SQL import, a sweep)."""
    return nullcontext() if quiet else Console(stderr=True).status(description)


def _aftercare(console: Console, view: dict[str, Any]) -> None:
    """The follow-up call, change requests and complaints of `show`, one line each."""
    call = view.get("follow_up_call")
    if call:
        late = " [red]overdue[/]" if call["overdue"] else ""
        console.print(f"follow-up call {call['call_id']} [{call['state']}] due {call['due_at'][:16]}{late}"
                      f"  tries {len(call['attempts'])}" + ("  (shipping waits)" if call["blocks_shipping"] else ""))
    for change in view.get("change_requests") or []:
        console.print(f"change {change['change_id']} [{change['state']}] {', '.join(change['fields'])}"
                      + (f"  findings {', '.join(f['code'] for f in change['findings'])}" if change["findings"] else ""))
    for complaint in view.get("complaints") or []:
        stages = "  ".join(f"{c['stage']} {c['status']}" for c in complaint["clocks"])
        console.print(f"complaint {complaint['complaint_id']} [{complaint['state']}] {complaint['category']}  {stages}")


def settings(described: dict[str, Any]) -> None:
    table = Table("setting", "value", "from", title=f"env file: {described['env_file'] or 'none'}")
    for name, entry in described["settings"].items():
        table.add_row(f"ONBOARD_{name.upper()}", "" if entry["value"] is None else str(entry["value"]),
                      entry["source"])
    _console().print(table)
