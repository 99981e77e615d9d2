"""The keyed-hash index over encrypted identifiers: written whenever an application's identifiers change,
read by the queue's search and by duplicate detection. See domain.search for why keyed."""
from __future__ import annotations

from documents.types import DocumentType
from onboarding.domain.model import Application
from onboarding.domain.search import IndexKind, digest
from onboarding.service.ports import Indexed

BACKFILL_BATCH = 500


def identifiers(application: Application) -> dict[IndexKind, list[str]]:
    """The values an application is found by: its own fields, and the credit code read from its licence."""
    licence = application.current_documents().get(DocumentType.BUSINESS_LICENSE)
    uscc = ((licence.fields or {}).get("uscc") or {}).get("value") if licence else None
    return {IndexKind.ID_NUMBER: [application.id_number], IndexKind.PHONE: [application.phone],
            IndexKind.CARD_NUMBER: [application.settlement_number], IndexKind.USCC: [uscc] if uscc else []}


def digests_of(key: bytes, application: Application) -> set[tuple[str, str]]:
    found = set()
    for kind, values in identifiers(application).items():
        for value in values:
            hashed = digest(key, kind, value)
            if hashed is not None:
                found.add((str(kind), hashed))
    return found


def index_application(services: Indexed, uow, application: Application) -> None:
    """Inside the caller's transaction, so the index changes with the fields it is built from."""
    uow.session.flush()  # a new application's row first: index rows refer to it
    uow.cases.replace_index(application.id, digests_of(services.index_key, application))


def index_missing(services: Indexed) -> int:
    """Indexes applications stored before the index existed (or by a process that failed to); returns how many."""
    # heavy import, paid only on the path that needs it
    from sqlalchemy.exc import IntegrityError

    done, collisions = 0, 0
    while True:
        try:
            with services.uow() as uow:
                batch = uow.cases.unindexed_application_ids(BACKFILL_BATCH)
                for application_id in batch:
                    index_application(services, uow, uow.applications.get(application_id))
                uow.commit()
        except IntegrityError:  # another process indexed some of them meanwhile: look again
            collisions += 1
            if collisions > 3:
                raise
            continue
        done += len(batch)
        if len(batch) < BACKFILL_BATCH:
            return done
