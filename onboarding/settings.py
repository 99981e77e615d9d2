"""All configuration, from `ONBOARD_*` environment variables. Built on demand, never at import.

A `.env` file is read only from the installation's home (`ONBOARD_HOME/.env`) or from the file named by
`onboard --env-file` (passed to child processes as `ONBOARD_ENV_FILE`); never from the current directory,
where anyone who can drop a file would otherwise choose the database and where upload links point.
Environment variables win over the file, and the file cannot move the home it was read from.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONBOARD_", env_file=None, extra="ignore")

    home: Path = Field(default=Path(".onboard"), description="Where the embedded default keeps its database and files.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default is SQLite under `home`.")

    blob_store: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_prefix: str = "documents"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_sse: Literal["AES256", "aws:kms"] | None = "AES256"
    s3_kms_key_id: str | None = None

    prefect_deployment: str | None = Field(
        default=None, description="Scale-out: start runs of this deployment (e.g. onboard-application/onboard) "
                                  "on the work pool instead of running flows in this process.")

    rules_dir: Path | None = Field(default=None, description="Rule files; default is the packaged rules/files.")
    ocr_engine: Literal["rapidocr", "tesseract"] = Field(
        default="rapidocr", description="rapidocr (the `rapidocr` extra, installed by scripts/setup.sh) or "
                                        "tesseract; why rapidocr is the default: BENCHMARKS.md, OCR accuracy.")
    ocr_processes: int | None = Field(default=None, ge=1, description="OCR worker processes; default one per core.")

    max_upload_bytes: int = 10 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_image_pixels_by_type: dict[str, int] = Field(
        default={}, description="Pixels per document type, checked on the header before decoding, e.g. "
                                "{\"storefront_photo\": 30000000}; types not named keep documents/intake.py's defaults.")
    max_concurrent_decodes: int = Field(default=2, ge=1, description="Images decoded at once per process; "
                                        "more uploads wait their turn (each decode may hold a few hundred MB).")

    secret_keys: list[str] = Field(default=[], description="Fernet keys, newest first; default a key file under home.")

    retention_days: int = Field(default=180, ge=1, description="Documents of rejected, expired and withdrawn "
                                "applications are purged this many days after that state (`onboard purge`).")

    portal_base_url: str = "http://127.0.0.1:8000"
    request_due_days: int = Field(default=10, ge=1, description="An unanswered request expires the application.")
    reminder_hours: list[int] = Field(default=[24, 72], description="Reminders, in hours after a round opens.")
    merchant_link_days: int = Field(default=60, ge=1, description="How long the link in a message after approval "
                                    "(approved, shipped, deposit, complaint, change) opens the merchant's page.")
    staff_alert_email: str | None = Field(default=None, description="Where reminders before a complaint breaches "
                                          "its service level, breaches and escalated calls are also e-mailed.")

    # Money ceilings and clock skew for transaction batches. A row above a ceiling, or dated further ahead of the
    # import than the skew, rejects its batch; a terminal already holding such rows is quarantined by the sweep.
    # The terminal ceiling bounds every sum over one terminal, so none can overflow a 64-bit column.
    ledger_max_transaction_fen: int = Field(default=100_000_000, ge=1, le=2**62, description="Largest amount "
                                            "one transaction may have, in fen (default ¥1,000,000).")
    ledger_max_terminal_fen: int = Field(default=1_000_000_000_000, ge=1, le=2**62, description="Most one "
                                         "terminal's transactions may add up to, every kind, in fen (default ¥10bn).")
    ledger_future_skew_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60, description="How far past the "
                                            "import time a transaction may be dated (terminal clocks drift).")

    staging_max_age_minutes: int = Field(
        default=60, ge=1, description="A document file still under its staging name after this long belongs to a "
                                      "submission that died; the sweep removes it.")
    outbox_lease_seconds: int = Field(default=300, ge=1, description="A claimed, unconfirmed message is "
                                      "retried after this long (its sender died).")
    email_channel: Literal["file", "smtp"] = "file"
    sms_channel: Literal["file", "sns"] = "file"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = "onboarding@acquirer.example"
    sns_region: str = "us-east-1"
    sns_endpoint_url: str | None = None
    sns_read_timeout_seconds: float = Field(default=10, gt=0, description="How long to wait for SNS to answer a "
                                            "publish; past it the SMS is `unknown` (not resent, staff decide).")
    timezone: str = "Asia/Shanghai"

    index_key: str | None = Field(
        default=None, description="Key of the keyed-hash search index over encrypted PII (ID, phone, card "
                                  "numbers); default a key file under home. Every process sharing a database "
                                  "must share it, like ONBOARD_SECRET_KEYS.")
    backoffice_idle_minutes: int = Field(default=30, ge=1, description="A staff session ends after this long "
                                         "without a request.")
    backoffice_login_failures_per_account: int = Field(default=5, ge=1, description="Failed logins per account "
                                                       "within the window before that account is locked for it.")
    backoffice_login_failures_per_address: int = Field(default=20, ge=1, description="Failed logins per client "
                                                       "address within the window before that address is refused.")
    backoffice_login_window_minutes: int = Field(default=15, ge=1)

    @property
    def resolved_home(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_home / 'onboard.db'}"

    @property
    def documents_dir(self) -> Path:
        return self.resolved_home / "documents"

    @property
    def outbox_dir(self) -> Path:
        """Where the file channel delivers messages on the embedded default."""
        return self.resolved_home / "outbox"


ENV_FILE_VARIABLE = "ONBOARD_ENV_FILE"
ENV_FILE_NAME = ".env"
DEFAULT_HOME = Path(".onboard")


class EnvFileMissing(ValueError):
    """`--env-file` (or ONBOARD_ENV_FILE) names a file that is not there."""


def env_file_in_force() -> Path | None:
    """`--env-file` if given, else the home's `.env` if there is one."""
    named = os.environ.get(ENV_FILE_VARIABLE)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise EnvFileMissing(f"--env-file {named}: no such file")
        return path
    home = Path(os.environ.get("ONBOARD_HOME") or DEFAULT_HOME).expanduser()
    in_home = home / ENV_FILE_NAME
    return in_home if in_home.is_file() else None


def load_settings() -> Settings:
    env_file = env_file_in_force()
    if env_file is None:
        return Settings()
    settings = Settings(_env_file=env_file)
    if ENV_FILE_VARIABLE not in os.environ:  # read from the home: the file cannot move the home elsewhere
        settings.home = Path(os.environ.get("ONBOARD_HOME") or DEFAULT_HOME)
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


SECRET_FIELDS = frozenset({"secret_keys", "index_key", "smtp_password"})


def _shown(name: str, value: object) -> object:
    if value in (None, "", []):
        return value
    if name in SECRET_FIELDS:
        return f"<{len(value)} key(s), hidden>" if isinstance(value, list) else "<set, hidden>"
    if name == "database_url":
        # heavy import, paid only on the path that needs it
        from sqlalchemy.engine import make_url

        try:
            return make_url(str(value)).render_as_string(hide_password=True)
        except Exception:  # not a URL SQLAlchemy reads: show nothing of it
            return "<set, unreadable, hidden>"
    return str(value) if isinstance(value, Path) else value


def describe_settings(settings: Settings) -> dict[str, object]:
    """The settings in force, secrets hidden, each with where it came from: the environment, the env file or the
    default."""
    # heavy import, paid only on the path that needs it
    from dotenv import dotenv_values

    env_file = env_file_in_force()
    in_file = {k.upper() for k in dotenv_values(env_file)} if env_file else set()
    in_environment = {k.upper() for k in os.environ}
    described = {}
    for name in Settings.model_fields:
        variable = f"ONBOARD_{name.upper()}"
        source = ("environment" if variable in in_environment else
                  "env file" if variable in in_file and not (name == "home" and ENV_FILE_VARIABLE not in os.environ)
                  else "default")
        described[name] = {"value": _shown(name, getattr(settings, name)), "source": source}
    return {"env_file": str(env_file.resolve()) if env_file else None, "settings": described}
