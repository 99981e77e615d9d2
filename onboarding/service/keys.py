"""Key rotation: every encrypted value re-sealed under the newest key, so older keys can be retired.

Procedure: put a new key first in ONBOARD_SECRET_KEYS (keep the old ones after it), run
`onboard keys rotate` until it reports nothing left under an old key, then drop the old keys.
Each chunk is its own short transaction, so the engine keeps running meanwhile, and a rotation
that stops half-way is finished by running it again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from cryptography.fernet import Fernet

from onboarding.adapters.encryption import UnreadableCiphertext
from onboarding.adapters.sealed_columns import SealedColumn, sealed_columns
from onboarding.service.ports import KeyedStores, SealedRecords

log = logging.getLogger("onboarding.keys")

DEFAULT_CHUNK = 500
DOCUMENT_FILES = "document files"


@dataclass
class RotationReport:
    keys: int
    resealed: dict[str, int] = field(default_factory=dict)
    changed_meanwhile: int = 0  # rewritten by someone else between our read and write; a rerun covers them

    @property
    def total(self) -> int:
        return sum(self.resealed.values())

    def as_dict(self) -> dict:
        return {"keys": self.keys, "resealed": self.resealed, "total": self.total,
                "changed_meanwhile": self.changed_meanwhile}


def new_key() -> str:
    return Fernet.generate_key().decode()


def rotate_keys(services: KeyedStores, chunk_size: int = DEFAULT_CHUNK) -> RotationReport:
    keys = services.settings.secret_keys
    report = RotationReport(keys=len(keys) if keys else 1)
    for column in sealed_columns():
        report.resealed[column.name] = _reseal(services, column, chunk_size, report)
    # Local document files: each data key re-sealed, files still in clear encrypted (S3: the server's keys).
    report.resealed[DOCUMENT_FILES] = services.blobs.reseal()
    # No application row to hang an audit event on: the rotation is a system event, logged.
    log.warning("keys rotated: %d value(s) re-sealed under the newest of %d key(s); %d changed meanwhile (%s)",
                report.total, report.keys, report.changed_meanwhile,
                ", ".join(f"{name}={count}" for name, count in report.resealed.items() if count))
    return report


def _reseal(services: SealedRecords, column: SealedColumn, chunk_size: int, report: RotationReport) -> int:
    sealer = services.sealer
    resealed, after = 0, None
    while True:
        with services.uow() as uow:
            connection = uow.session.connection()
            rows = column.chunk(connection, after, chunk_size)
            if not rows:
                return resealed
            for key, token in rows:
                plaintext = sealer.open(token)
                if plaintext is None:
                    raise UnreadableCiphertext(f"{column.name} {key}: opens with none of the configured keys; "
                                               "add the key it was sealed with to ONBOARD_SECRET_KEYS")
                if column.replace(connection, key, token, sealer.seal(plaintext)):
                    resealed += 1
                else:
                    report.changed_meanwhile += 1
            uow.commit()
            after = rows[-1][0]
