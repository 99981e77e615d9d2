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
_MAX_FEN = 2**63 - 1  # BIGINT
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


def transaction(fields: list[str]) -> dict | str:
    """A staging row from one CSV row's fields, or the reason it is not acceptable."""
    txn_id, terminal_sn, occurred_at, amount, kind, channel = fields
    if not txn_id or len(txn_id) > 64:
        return "txn_id: must be 1 to 64 characters"
    if not terminal_sn or len(terminal_sn) > 40:
        return "terminal_sn: must be 1 to 40 characters"
    try:
        moment = datetime.fromisoformat(occurred_at)
    except ValueError:
        return f"occurred_at: {occurred_at!r} is not an ISO 8601 date-time"
    if moment.tzinfo is None:
        return f"occurred_at: {occurred_at!r} has no UTC offset (write e.g. +08:00)"
    if not _DIGITS.match(amount) or not 0 < int(amount) <= _MAX_FEN:
        return f"amount_fen: {amount!r} is not a positive whole number of fen"
    if kind not in _KINDS:
        return f"kind: {kind!r} is not one of {', '.join(TransactionKind)}"
    if channel not in _CHANNELS:
        return f"channel: {channel!r} is not one of {', '.join(PaymentChannel)}"
    return {"txn_id": txn_id, "terminal_sn": terminal_sn, "occurred_at": moment.astimezone(timezone.utc),
            "amount_fen": int(amount), "kind": kind, "channel": channel}


def serial_number_problem(serial_number: str) -> str | None:
    if SERIAL_NUMBER.match(serial_number):
        return None
    return f"serial number {serial_number!r} must be 3 to 40 letters, digits, '-' or '_'"
