"""PII encrypted at rest (names, ID and card numbers, phone, OCR text and fields); documents.purged_at.

Existing plaintext is encrypted here with the keys `migrate()` passes in `config.attributes["sealer"]`
(newest key). The column list is frozen in this file on purpose: later changes to the table modules
must not change what this revision did.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import context, op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_CHUNK = 500

# table -> (primary key columns, encrypted columns with their type before this revision)
ENCRYPTED = {
    "applications": (("id",), {
        "legal_name": sa.String(64), "id_number": sa.String(32), "phone": sa.String(20),
        "settlement_holder_name": sa.String(200), "settlement_number": sa.String(40)}),
    "documents": (("id",), {"fields": sa.JSON()}),
    "ocr_readings": (("sha256", "document_type", "engine", "pipeline_version"), {"reading": sa.JSON()}),
    "terminals": (("serial_number",), {"registration_number": sa.String(32), "settlement_account": sa.String(40)}),
    "refund_instructions": (("id",), {"holder_name": sa.String(200), "account_number": sa.String(40)}),
}


def _sealer():
    sealer = context.config.attributes.get("sealer")
    if sealer is None:
        raise RuntimeError("migration 0006 encrypts existing rows and needs the keys: "
                           "run it through onboarding.adapters.database.migrate(engine, sealer)")
    return sealer


def _rewrite(table_name: str, transform) -> None:
    """Every non-null value of the table's encrypted columns through `transform`, in primary-key order."""
    key_names, columns = ENCRYPTED[table_name]
    # Keys untyped: values are bound back exactly as they were read (text ids, integer ids).
    table = sa.table(table_name, *(sa.column(n) for n in key_names), *(sa.column(n, sa.Text()) for n in columns))
    keys = [table.c[n] for n in key_names]
    bind = op.get_bind()
    after = None
    while True:
        query = sa.select(*keys, *(table.c[n] for n in columns)).order_by(*keys).limit(_CHUNK)
        if after is not None:
            query = query.where(sa.tuple_(*keys) > sa.tuple_(*after))
        rows = bind.execute(query).all()
        if not rows:
            return
        for row in rows:
            values = {n: transform(row._mapping[n]) for n in columns if row._mapping[n] is not None}
            if values:
                bind.execute(table.update().where(*(k == row._mapping[k.name] for k in keys)).values(**values))
        after = tuple(row._mapping[n] for n in key_names)


def _has_values(table_name: str) -> bool:
    _, columns = ENCRYPTED[table_name]
    table = sa.table(table_name, *(sa.column(n) for n in columns))
    condition = sa.or_(*(table.c[n].is_not(None) for n in columns))
    return op.get_bind().execute(sa.select(sa.literal(1)).select_from(table).where(condition).limit(1)).first() is not None


def _to_text(table_name: str) -> None:
    # SQLite keeps any length in any column, so only PostgreSQL needs its types changed (and on SQLite it
    # would mean recreating tables other tables reference).
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, old_type in ENCRYPTED[table_name][1].items():
        op.alter_column(table_name, name, type_=sa.Text(), existing_type=old_type, postgresql_using=f"{name}::text")


def _from_text(table_name: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, old_type in ENCRYPTED[table_name][1].items():
        cast = "json" if isinstance(old_type, sa.JSON) else f"varchar({old_type.length})"
        op.alter_column(table_name, name, type_=old_type, existing_type=sa.Text(), postgresql_using=f"{name}::{cast}")


def upgrade() -> None:
    # Refuse before any DDL: pysqlite commits DDL as it goes, so a later refusal would leave half a schema.
    to_encrypt = [name for name in ENCRYPTED if _has_values(name)]
    sealer = _sealer() if to_encrypt else None
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime()))
    for table_name in ENCRYPTED:
        _to_text(table_name)
        if table_name in to_encrypt:
            _rewrite(table_name, sealer.seal)


def downgrade() -> None:
    for table_name in ENCRYPTED:
        if _has_values(table_name):
            _rewrite(table_name, _opener(_sealer()))
        _from_text(table_name)
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("purged_at")


def _opener(sealer):
    def open_or_fail(token: str) -> str:
        plaintext = sealer.open(token)
        if plaintext is None:
            raise RuntimeError("a value opens with none of the configured keys; downgrade needs every key in use")
        return plaintext

    return open_or_fail
