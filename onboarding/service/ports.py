"""What services receive: narrow views of the process's collaborators, so no service imports the wiring.

`onboarding.bootstrap.Services` satisfies every one of them; tests may pass anything that has the attributes a
protocol names. Each service module asks for the smallest protocol that covers what it and the services it calls
use."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Callable, Protocol

if TYPE_CHECKING:
    from documents.intake import IntakeLimits
    from documents.ocr.engine import OcrEngine
    from documents.ocr.workers import OcrWorkers
    from documents.storage import BlobStore
    from onboarding.crypto import Sealer
    from onboarding.adapters.unit_of_work import UnitOfWork
    from onboarding.service.reading import ReadsInFlight
    from onboarding.settings import Settings
    from rules.ruleset import RuleSet


class Records(Protocol):
    """The database, the settings and the time: what most services need."""

    settings: Settings
    clock: Callable[[], datetime]

    def uow(self) -> UnitOfWork: ...


class Indexed(Records, Protocol):
    """Records plus the key of the search index over encrypted identifiers."""

    @property
    def index_key(self) -> bytes: ...


class FileRecords(Indexed, Protocol):
    """Records plus the document store and the limits an upload must meet."""

    @property
    def blobs(self) -> BlobStore: ...

    @property
    def intake_limits(self) -> IntakeLimits: ...


class SealedRecords(Records, Protocol):
    """Records plus the keys that seal upload links and PII columns."""

    @property
    def sealer(self) -> Sealer: ...


class KeyedStores(SealedRecords, Protocol):
    """Sealed records plus the document store: everything `keys rotate` re-encrypts."""

    @property
    def blobs(self) -> BlobStore: ...


class RequestServices(SealedRecords, Protocol):
    """Sealed records plus the rules that say what a request asks for."""

    @property
    def ruleset(self) -> RuleSet: ...


class CheckServices(RequestServices, Indexed, Protocol):
    """What a check of an application needs: the rules and the OCR engine's versions (they key the OCR cache)."""

    @property
    def ocr(self) -> OcrEngine: ...


class CaseServices(CheckServices, FileRecords, Protocol):
    """Everything a case's life uses except the OCR processes: intake, checks, requests, messages, the ledger."""


class ReadServices(Protocol):
    """What reading documents needs: the store, the OCR engine and its worker processes."""

    clock: Callable[[], datetime]

    def uow(self) -> UnitOfWork: ...

    @property
    def blobs(self) -> BlobStore: ...

    @property
    def ocr(self) -> OcrEngine: ...

    @property
    def ocr_workers(self) -> OcrWorkers: ...

    @property
    def reads_in_flight(self) -> ReadsInFlight: ...
