"""Transaction batches into the ledger: every row checked first, then all new rows at once, or nothing.

Idempotent twice over: a file already imported (same sha256) is recognised and skipped, and inside a
batch only txn ids the ledger does not have yet are added.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from documents.s3_storage import new_s3_client
from onboarding.domain.model import new_id
from onboarding.domain.terminals import LedgerError
from onboarding.service import ledger_csv
from onboarding.service.ports import SealedRecords
from onboarding.service.terminals import ledger_limits

STAGING_CHUNK = 10_000
PROBLEMS_KEPT = 50


class TransactionImportError(ledger_csv.BatchRejected):
    pass


class TransactionSourceUnavailable(LedgerError):
    pass


@dataclass(frozen=True)
class ImportReport:
    source: str
    sha256: str
    batch_id: str
    rows: int
    new: int
    duplicate_batch: bool  # this very file was imported before: nothing was read into the ledger

    @property
    def already_imported(self) -> int:
        return self.rows - self.new

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "already_imported": self.already_imported}


def import_transactions(services: SealedRecords, csv_source: Path | str | bytes, *,
                        source: str | None = None) -> ImportReport:
    data, source = ledger_csv.read_source(csv_source, source)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        return _import(services, data, source, sha256)
    except IntegrityError:
        # The same file committed by a concurrent import while this one was checking it.
        report = _previous_import(services, source, sha256)
        if report is None:
            raise
        return report


def _previous_import(services: SealedRecords, source: str, sha256: str) -> ImportReport | None:
    with services.uow() as uow:
        batch = uow.ledger.batch_with_sha256(sha256)
    if batch is None:
        return None
    if batch["voided_at"] is not None:
        raise TransactionImportError(source, [(1, (
            f"this file was imported as batch {batch['id']}, which {batch['voided_by']} voided on "
            f"{batch['voided_at'].isoformat()} ({batch['void_reason']}); correct it and import the corrected file"))])
    return ImportReport(source=source, sha256=sha256, batch_id=batch["id"], rows=batch["row_count"], new=0,
                        duplicate_batch=True)


def _import(services: SealedRecords, data: bytes, source: str, sha256: str) -> ImportReport:
    if (previous := _previous_import(services, source, sha256)) is not None:
        return previous
    limits = ledger_limits(services)
    not_after = services.clock() + limits.future_skew
    with services.uow() as uow:
        staging = uow.ledger.staging()
        problems: list[ledger_csv.Problem] = []
        problem_count = row_count = 0
        chunk: list[dict[str, Any]] = []
        batch_fen: dict[str, int] = defaultdict(int)  # each terminal's rows added up, for the ceiling check
        for line, fields in ledger_csv.rows(data, ledger_csv.TRANSACTION_COLUMNS):
            row_count += 1
            parsed = fields if isinstance(fields, str) else ledger_csv.transaction(
                fields, max_fen=limits.max_transaction_fen, not_after=not_after)
            if isinstance(parsed, str):
                problem_count += 1
                if len(problems) < PROBLEMS_KEPT:
                    problems.append((line, parsed))
                continue
            batch_fen[parsed["terminal_sn"]] += parsed["amount_fen"]
            chunk.append({"line": line, **parsed})
            if len(chunk) >= STAGING_CHUNK:
                staging.add(chunk)
                chunk = []
        staging.add(chunk)
        found, found_count = staging.problems(PROBLEMS_KEPT, limits.max_terminal_fen, batch_fen)
        if problem_count or found_count:
            raise TransactionImportError(source, problems + found, problem_count + found_count)
        batch_id = new_id("BAT-")
        # The batch row first: transactions point at it. Its unique sha256 also stops a concurrent twin.
        uow.ledger.add_batch(batch_id, sha256, source, services.clock(), row_count)
        new = staging.import_new(batch_id)
        uow.ledger.record_batch_result(batch_id, new)
        staging.close()
        uow.commit()
    return ImportReport(source=source, sha256=sha256, batch_id=batch_id, rows=row_count, new=new,
                        duplicate_batch=False)


def import_transactions_from_s3(services: SealedRecords, bucket: str, prefix: str) -> list[ImportReport]:
    """Imports every `.csv` object under `prefix`, in key order, each as its own batch.

    A bad object stops the run with its error; the objects before it stay imported, and running again
    skips them as duplicate batches.
    """
    client = _s3_client(services)
    reports = []
    for key in _csv_keys(client, bucket, prefix):
        uri = f"s3://{bucket}/{key}"
        data = _s3_call(uri, lambda key=key: client.get_object(Bucket=bucket, Key=key)["Body"].read())
        reports.append(import_transactions(services, data, source=uri))
    return reports


def _csv_keys(client: Any, bucket: str, prefix: str) -> list[str]:
    def list_all() -> list[str]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    return sorted(key for key in _s3_call(f"s3://{bucket}/{prefix}", list_all) if key.lower().endswith(".csv"))


def _s3_call(where: str, call):
    # heavy import, paid only on the path that needs it
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call()
    except ClientError as error:
        info = error.response.get("Error", {})
        reason = f"{info.get('Code', '')} {info.get('Message', '')}".strip()
        raise TransactionSourceUnavailable(f"{where}: {reason}") from None
    except BotoCoreError as error:
        raise TransactionSourceUnavailable(f"{where}: {error}") from None


def _s3_client(services: SealedRecords) -> Any:
    return new_s3_client(region=services.settings.s3_region, endpoint_url=services.settings.s3_endpoint_url)
