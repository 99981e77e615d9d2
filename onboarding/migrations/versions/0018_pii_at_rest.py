"""PII at rest, round 2: findings (decisions.deficiencies, decisions.warnings), request items and outbox
recipients and bodies encrypted; decisions.deficiency_codes keeps in clear what queries need (code and
document type of each deficiency), filled from the rows as they were.

Existing plaintext is encrypted here with the keys `migrate()` passes in `config.attributes["sealer"]`
(newest key). The column list is frozen in this file on purpose (see 0006).

Revision ID: 0018
Revises: 0014
"""
import json

import sqlalchemy as sa
from alembic import context, op

revision = "0018"
down_revision = "0014"
branch_labels = None
depends_on = None

_CHUNK = 500

# table -> (primary key, encrypted columns with their type before this revision)
ENCRYPTED = {
    "decisions": ("id", {"deficiencies": sa.JSON(), "warnings": sa.JSON()}),
    "supplementary_requests": ("id", {"items": sa.JSON()}),
    "outbox": ("id", {"recipient": sa.String(254), "body": sa.Text()}),
}
JSON_COLUMNS = {"deficiencies", "warnings", "items"}


def _sealer():
    sealer = context.config.attributes.get("sealer")
    if sealer is None:
        raise RuntimeError("migration 0018 encrypts existing rows and needs the keys: "
                           "run it through onboarding.adapters.database.migrate(engine, sealer)")
    return sealer


def codes_of(deficiencies) -> list[dict]:
    return [{"code": d.get("code"), "document_type": d.get("document_type")} for d in deficiencies or ()
            if isinstance(d, dict)]


def _rewrite(table_name: str, transform) -> None:
    """transform(row mapping) -> values to write, for every row of the table, in primary-key order."""
    key_name, columns = ENCRYPTED[table_name]
    extra = [sa.column("deficiency_codes", sa.JSON())] if table_name == "decisions" else []
    table = sa.table(table_name, sa.column(key_name), *(sa.column(n, sa.Text()) for n in columns), *extra)
    key = table.c[key_name]
    bind = op.get_bind()
    after = None
    while True:
        query = sa.select(key, *(table.c[n] for n in columns)).order_by(key).limit(_CHUNK)
        if after is not None:
            query = query.where(key > after)
        rows = bind.execute(query).all()
        if not rows:
            return
        for row in rows:
            values = transform(row._mapping)
            if values:
                bind.execute(table.update().where(key == row._mapping[key_name]).values(**values))
        after = rows[-1]._mapping[key_name]


def _json_text(value) -> str | None:
    # PostgreSQL json comes back parsed (before the type change) or as text (after); SQLite always as text.
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _has_rows(table_name: str) -> bool:
    return op.get_bind().execute(sa.text(f"SELECT 1 FROM {table_name} LIMIT 1")).first() is not None


def _to_text(table_name: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps any text in any column
    for name in ENCRYPTED[table_name][1]:
        op.alter_column(table_name, name, type_=sa.Text(), existing_type=ENCRYPTED[table_name][1][name],
                        postgresql_using=f"{name}::text")


def _from_text(table_name: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, old_type in ENCRYPTED[table_name][1].items():
        cast = "json" if isinstance(old_type, sa.JSON) else ("text" if isinstance(old_type, sa.Text)
                                                              else f"varchar({old_type.length})")
        op.alter_column(table_name, name, type_=old_type, existing_type=sa.Text(), postgresql_using=f"{name}::{cast}")


def upgrade() -> None:
    # Refuse before any DDL: pysqlite commits DDL as it goes, so a later refusal would leave half a schema.
    to_encrypt = [name for name in ENCRYPTED if _has_rows(name)]
    sealer = _sealer() if to_encrypt else None
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("deficiency_codes", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    for table_name, (_, columns) in ENCRYPTED.items():
        _to_text(table_name)
        if table_name not in to_encrypt:
            continue

        def seal_row(row, columns=columns, table_name=table_name):
            plain = {n: _json_text(row[n]) if n in JSON_COLUMNS else row[n] for n in columns}
            values = {n: sealer.seal(v) for n, v in plain.items() if v is not None}
            if table_name == "decisions":
                values["deficiency_codes"] = codes_of(json.loads(plain["deficiencies"] or "[]"))
            return values

        _rewrite(table_name, seal_row)


def downgrade() -> None:
    for table_name, (_, columns) in ENCRYPTED.items():
        if _has_rows(table_name):
            sealer = _sealer()

            def open_row(row, columns=columns):
                values = {}
                for n in columns:
                    if row[n] is not None:
                        plaintext = sealer.open(row[n])
                        if plaintext is None:
                            raise RuntimeError("a value opens with none of the configured keys; "
                                               "downgrade needs every key in use")
                        values[n] = plaintext
                return values

            _rewrite(table_name, open_row)
        _from_text(table_name)
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("deficiency_codes")
