"""Round 2 of reliability: one current document per type, enforced; outbox sends whose outcome is unknown
(`outbox.outcome_unknown_at`).

Before the index can exist, applications that parallel uploads left with several current documents of one
type keep only the newest (the others are superseded when it arrived, as a sequential upload would have).

Revision ID: 0014
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

CURRENT = "superseded_at IS NULL AND proposed_for IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("outcome_unknown_at", sa.DateTime()))
    _supersede_all_but_the_newest_current_document()
    op.create_index("ux_documents_one_current_per_type", "documents", ["application_id", "document_type"],
                    unique=True, sqlite_where=sa.text(CURRENT), postgresql_where=sa.text(CURRENT))


def downgrade() -> None:
    op.drop_index("ux_documents_one_current_per_type", table_name="documents")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("outcome_unknown_at")


def _supersede_all_but_the_newest_current_document() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        f"SELECT id, application_id, document_type, uploaded_at FROM documents WHERE {CURRENT} "
        "ORDER BY application_id, document_type, uploaded_at DESC, id DESC")).all()
    newest: dict[tuple[str, str], str] = {}
    for document_id, application_id, document_type, _uploaded_at in rows:
        keep = newest.setdefault((application_id, document_type), document_id)
        if keep != document_id:
            connection.execute(sa.text(
                "UPDATE documents SET superseded_at = (SELECT uploaded_at FROM documents WHERE id = :keep) "
                "WHERE id = :old"), {"keep": keep, "old": document_id})
