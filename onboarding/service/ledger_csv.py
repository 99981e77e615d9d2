"""Reading ledger CSV files (transaction batches, terminal inventory): strict, every problem with its line."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from onboarding.domain.terminals import LedgerError, PaymentChannel, TransactionKind

TRANSACTION_COLUMNS = ("txn_id", "terminal_sn", "occurred_at", "amount_fen", "kind", "channel")
TERMINAL_COLUMNS = ("serial_number", "model")
SERIAL_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$")
_DIGITS = re.compile(r"^[0-9]+$")
_KINDS = frozenset(kind.value for kind in TransactionKind)
_CHANNELS = frozenset(channel.value for channel in PaymentChannel)
SHOWN_PROBLEMS = 5

Problem = tuple[int, str]


class BatchRejected(LedgerError):
    """A file with bad rows; nothing from it was stored. `problems` holds (line, reason) pairs."""

    def __init__(self, source: str, problems: list[Problem], total: int | None = None) -> None:
        self.source = source
        self.problems = sorted(problems)
        self.total = max(total or 0, len(problems))
        shown = "; ".join(f"line {line}: {reason}" for line, reason in self.problems[:SHOWN_PROBLEMS])
        more = f" (and {self.total - SHOWN_PROBLEMS} more)" if self.total > SHOWN_PROBLEMS else ""
        super().__init__(f"{source}: rejected, nothing imported: {shown}{more}")

    @property
    def lines(self) -> list[int]:
        return [line for line, _ in self.problems]


def read_source(source: Path | str | bytes, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, name or "<bytes>"
    path = Path(source)
    try:
        return path.read_bytes(), name or str(path)
    except OSError as error:
        raise LedgerError(f"{path}: {error.strerror or error}") from None


def rows(data: bytes, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]] | Problem]:
    """(line, fields) for each data row, or (line, reason) for a row that cannot be a row at all.

    A wrong header or a file that is not UTF-8 CSV yields one problem and ends the file.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        yield data[:error.start].count(b"\n") + 1, f"not UTF-8 ({error.reason})"
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
        if tuple(header) != columns:
            yield 1, f"header must be {','.join(columns)}"
            return
        for fields in reader:
            if not fields or fields == [""]:
                continue  # blank line
            if len(fields) != len(columns):
                yield reader.line_num, f"expected {len(columns)} fields, found {len(fields)}"
                continue
            yield reader.line_num, [value.strip() for value in fields]
    except csv.Error as error:
        yield reader.line_num, f"malformed CSV ({error})"


def transaction(fields: list[str], *, max_fen: int, not_after: datetime) -> dict | str:
    """A staging row from one CSV row's fields, or the reason it is not acceptable.

    `max_fen`: the per-transaction ceiling; `not_after`: the import time plus the allowed clock skew.
    """
    txn_id, terminal_sn, occurred_at, amount, kind, channel = fields
    if not txn_id or len(txn_id) > 64:
        return "txn_id: must be 1 to 64 characters"
    if not txn_id.isprintable():  # NUL and other control or invisible characters: no database takes them all
        return f"txn_id: {txn_id!r} contains a control or invisible character"
    if not SERIAL_NUMBER.match(terminal_sn):
        return f"terminal_sn: {_shown(terminal_sn)} is not a serial number (3 to 40 letters, digits, '-' or '_')"
    try:
        moment = datetime.fromisoformat(occurred_at)
        if moment.tzinfo is None:
            return f"occurred_at: {_shown(occurred_at)} has no UTC offset (write e.g. +08:00)"
        moment = moment.astimezone(timezone.utc)
    except ValueError:
        return f"occurred_at: {_shown(occurred_at)} is not an ISO 8601 date-time"
    except OverflowError:
        return f"occurred_at: {_shown(occurred_at)} is out of range"
    if moment > not_after:
        return (f"occurred_at: {_shown(occurred_at)} is in the future (later than {not_after.isoformat()}, "
                "the import time plus the allowed clock skew)")
    significant = amount.lstrip("0")
    if not _DIGITS.match(amount) or not significant:
        return f"amount_fen: {_shown(amount)} is not a positive whole number of fen"
    # Compared by length first (a ceiling is at most 2**62, 19 digits): int() refuses over 4300 digits.
    if len(significant) > 19 or int(significant) > max_fen:
        return f"amount_fen: {_shown(amount)} is above the per-transaction ceiling of {max_fen} fen"
    if kind not in _KINDS:
        return f"kind: {_shown(kind)} is not one of {', '.join(TransactionKind)}"
    if channel not in _CHANNELS:
        return f"channel: {_shown(channel)} is not one of {', '.join(PaymentChannel)}"
    return {"txn_id": txn_id, "terminal_sn": terminal_sn, "occurred_at": moment,
            "amount_fen": int(amount), "kind": kind, "channel": channel}


def _shown(value: str, limit: int = 40) -> str:
    """A field as quoted in an error: repr (control characters visible), cut to a readable length."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def serial_number_problem(serial_number: str) -> str | None:
    if SERIAL_NUMBER.match(serial_number):
        return None
    return f"serial number {serial_number!r} must be 3 to 40 letters, digits, '-' or '_'"
