"""Every table module, imported so `metadata` is complete for migrations and schema checks."""
from onboarding.adapters import aftercare_tables, backoffice_tables, ledger_tables, orm, outbox  # noqa: F401
from onboarding.adapters.columns import metadata

__all__ = ["metadata"]
