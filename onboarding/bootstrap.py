"""Wiring: builds the real adapters from settings, once per process, on first use."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property, lru_cache, partial
from typing import TYPE_CHECKING, Callable

from onboarding.settings import Settings, get_settings

if TYPE_CHECKING:  # imported where used: a CLI call answered from the database needs none of them
    from documents.intake import IntakeLimits
    from documents.ocr.engine import OcrEngine
    from documents.ocr.workers import OcrWorkers
    from documents.storage import BlobStore
    from onboarding.adapters.unit_of_work import UnitOfWork
    from onboarding.service.runs import Runs
    from rules.ruleset import RuleSet


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    settings: Settings
    clock: Callable[[], datetime] = utc_now

    @cached_property
    def _sessions(self):
        # built on first use: a command answered from the database never imports it
        from onboarding.adapters.database import session_factory

        # The same keys seal upload links and encrypt PII columns (newest encrypts, every key decrypts).
        return session_factory(self.settings.resolved_database_url, self.sealer)

    def uow(self) -> UnitOfWork:
        # built on first use: a command answered from the database never imports it
        from onboarding.adapters.unit_of_work import UnitOfWork

        return UnitOfWork(self._sessions)

    @cached_property
    def blobs(self) -> BlobStore:
        # built on first use: a command answered from the database never imports it
        from documents.blob_stores import open_blob_store

        s = self.settings
        return open_blob_store(
            kind=s.blob_store, local_root=s.documents_dir, bucket=s.s3_bucket, prefix=s.s3_prefix,
            endpoint_url=s.s3_endpoint_url, region=s.s3_region, sse=s.s3_sse, kms_key_id=s.s3_kms_key_id,
            key_wrapper=self.sealer,  # the keys of the PII columns also seal each local file's data key
        )

    @cached_property
    def ocr(self) -> OcrEngine:
        """For the engine's versions (they key the OCR cache) and single reads in this process (`onboard ocr`)."""
        # built on first use: a command answered from the database never imports it
        from documents.ocr import open_ocr_engine

        return open_ocr_engine(self.settings.ocr_engine)

    @cached_property
    def ocr_workers(self) -> OcrWorkers:
        """The processes that OCR documents for flows; started on first use, stopped by `close`."""
        # built on first use: a command answered from the database never imports it
        from documents.ocr import open_ocr_engine
        from documents.ocr.workers import OcrWorkers

        # Each worker builds its own engine (a picklable recipe, not the engine itself).
        return OcrWorkers(partial(open_ocr_engine, self.settings.ocr_engine), self.intake_limits,
                          self.settings.ocr_processes)

    @cached_property
    def runs(self) -> Runs:
        """How this process starts the checks: the deployment's work pool in scale-out, else the embedded
        default (a running `onboard serve`, or what this process starts itself)."""
        # built on first use: a command answered from the database never imports it
        from onboarding.service.runs import load_runs

        return load_runs("deployment" if self.settings.prefect_deployment else "embedded", self)

    @cached_property
    def reads_in_flight(self):
        # built on first use: a command answered from the database never imports it
        from onboarding.service.reading import ReadsInFlight

        return ReadsInFlight()

    def close(self) -> None:
        self.__dict__.pop("reads_in_flight", None)
        if "ocr_workers" in self.__dict__:
            self.__dict__.pop("ocr_workers").close()

    @cached_property
    def ruleset(self) -> RuleSet:
        # built on first use: a command answered from the database never imports it
        from rules.ruleset import load_ruleset

        return load_ruleset(self.settings.rules_dir)

    @cached_property
    def sealer(self):
        # built on first use: a command answered from the database never imports it
        from onboarding.adapters.encryption import configured_sealer

        return configured_sealer(self.settings)

    @cached_property
    def index_key(self) -> bytes:
        """HMAC key of the search index over encrypted identifiers (see domain.search)."""
        # built on first use: a command answered from the database never imports it
        from onboarding.adapters.index_key import configured_index_key

        return configured_index_key(self.settings)

    @cached_property
    def senders(self) -> dict:
        # built on first use: a command answered from the database never imports it
        from onboarding.domain.notifications import Channel
        from onboarding.notifications.senders import FileSender, SmtpSender, SnsSmsSender

        s = self.settings
        email = (SmtpSender(s.smtp_host, s.smtp_port, s.mail_from, starttls=s.smtp_starttls,
                            username=s.smtp_username, password=s.smtp_password)
                 if s.email_channel == "smtp" else FileSender(s.outbox_dir / "email"))
        sms = (SnsSmsSender(s.sns_region, s.sns_endpoint_url, read_timeout=s.sns_read_timeout_seconds)
               if s.sms_channel == "sns" else FileSender(s.outbox_dir / "sms"))
        return {Channel.EMAIL: email, Channel.SMS: sms}

    @property
    def intake_limits(self) -> IntakeLimits:
        # built on first use: a command answered from the database never imports it
        from documents.intake import DEFAULT_MAX_PIXELS, IntakeLimits

        return IntakeLimits(
            max_bytes=self.settings.max_upload_bytes,
            max_pixels=self.settings.max_image_pixels,
            max_pixels_by_type={**DEFAULT_MAX_PIXELS, **self.settings.max_image_pixels_by_type},
            max_concurrent_decodes=self.settings.max_concurrent_decodes,
            min_width=self.ruleset.min_width_by_document_type(),
            min_blur_score=self.ruleset.thresholds.min_blur_score,
        )


@lru_cache(maxsize=1)
def get_services() -> Services:
    return Services(get_settings())


def reset_services() -> None:
    """For tests and long-lived processes whose environment changed."""
    if get_services.cache_info().currsize:
        get_services().close()
    get_settings.cache_clear()
    get_services.cache_clear()
