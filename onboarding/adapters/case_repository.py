"""`uow.cases`: what staff add around an application (assignment, notes, field history), the keyed-hash
search index and possible duplicates. Plain Core, one small method per question."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from onboarding.adapters.backoffice_tables import (
    case_assignments, case_notes, duplicate_matches, field_changes, search_index,
)
from onboarding.adapters.orm import applications, documents


class CaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- assignment --------------------------------------------------------------------------

    def assignee(self, application_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(case_assignments).where(
            case_assignments.c.application_id == application_id)).mappings().first()
        return None if row is None else dict(row)

    def assign(self, application_id: str, assignee: str, by: str, at: datetime) -> None:
        self.unassign(application_id)
        self.session.execute(insert(case_assignments).values(
            application_id=application_id, assignee=assignee, assigned_at=at, assigned_by=by))

    def unassign(self, application_id: str) -> bool:
        return self.session.execute(delete(case_assignments).where(
            case_assignments.c.application_id == application_id)).rowcount == 1

    # ---- notes and field history --------------------------------------------------------------

    def add_note(self, application_id: str, author: str, text: str, at: datetime) -> None:
        self.session.execute(insert(case_notes).values(application_id=application_id, author=author, text=text, at=at))

    def notes(self, application_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(select(case_notes).where(case_notes.c.application_id == application_id)
                                    .order_by(case_notes.c.id)).mappings()
        return [dict(r) for r in rows]

    def add_field_change(self, application_id: str, actor: str, field: str, old: str | None, new: str | None,
                         reason: str, at: datetime) -> None:
        self.session.execute(insert(field_changes).values(
            application_id=application_id, actor=actor, field=field, old_value=old, new_value=new, reason=reason,
            at=at))

    def field_changes(self, application_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(select(field_changes).where(field_changes.c.application_id == application_id)
                                    .order_by(field_changes.c.id)).mappings()
        return [dict(r) for r in rows]

    # ---- search index ------------------------------------------------------------------------

    def replace_index(self, application_id: str, digests: set[tuple[str, str]]) -> None:
        """The application's rows become exactly `digests` ((kind, digest) pairs)."""
        existing = {(r.kind, r.digest) for r in self.session.execute(
            select(search_index.c.kind, search_index.c.digest).where(search_index.c.application_id == application_id))}
        for kind, value in existing - digests:
            self.session.execute(delete(search_index).where(
                search_index.c.application_id == application_id, search_index.c.kind == kind,
                search_index.c.digest == value))
        if digests - existing:
            self.session.execute(insert(search_index), [
                {"application_id": application_id, "kind": kind, "digest": value}
                for kind, value in sorted(digests - existing)])

    def unindexed_application_ids(self, limit: int) -> list[str]:
        indexed = select(search_index.c.application_id).where(search_index.c.application_id == applications.c.id)
        return list(self.session.scalars(select(applications.c.id).where(~indexed.exists())
                                         .order_by(applications.c.id).limit(limit)))

    def ids_with_digests(self, digests: dict[str, str]) -> set[str]:
        if not digests:
            return set()
        condition = or_(*(and_(search_index.c.kind == kind, search_index.c.digest == value)
                          for kind, value in digests.items()))
        return set(self.session.scalars(select(search_index.c.application_id).where(condition).distinct()))

    def sharing_identifiers(self, application_id: str) -> dict[str, set[str]]:
        """Other applications with an equal digest, by other id → the kinds they share."""
        mine = search_index.alias("mine")
        theirs = search_index.alias("theirs")
        rows = self.session.execute(
            select(theirs.c.application_id, theirs.c.kind)
            .join(mine, and_(mine.c.kind == theirs.c.kind, mine.c.digest == theirs.c.digest))
            .where(mine.c.application_id == application_id, theirs.c.application_id != application_id))
        found: dict[str, set[str]] = {}
        for other, kind in rows:
            found.setdefault(other, set()).add(kind)
        return found

    def sharing_images(self, application_id: str) -> set[str]:
        """Other applications holding a document with the same bytes as one of this application's current ones."""
        mine = documents.alias("mine")
        theirs = documents.alias("theirs")
        return set(self.session.scalars(
            select(theirs.c.application_id).distinct()
            .join(mine, mine.c.sha256 == theirs.c.sha256)
            .where(mine.c.application_id == application_id, mine.c.superseded_at.is_(None),
                   theirs.c.application_id != application_id)))

    # ---- possible duplicates -----------------------------------------------------------------
    # One row per pair, stored in id order, so "A looks like B" and "B looks like A" are the same finding.

    def duplicates(self, application_id: str) -> list[dict[str, Any]]:
        """This application's pairs, each seen from it (`other_id` is the other application)."""
        rows = self.session.execute(select(duplicate_matches).where(or_(
            duplicate_matches.c.application_id == application_id,
            duplicate_matches.c.other_id == application_id))).mappings()
        seen = []
        for row in rows:
            row = dict(row)
            if row["other_id"] == application_id:
                row["other_id"] = row["application_id"]
            row["application_id"] = application_id
            seen.append(row)
        return sorted(seen, key=lambda r: r["other_id"])

    def record_match(self, application_id: str, other_id: str, matched_on: list[str], at: datetime) -> bool:
        """Adds or widens the pair; a pair staff cleared stays cleared unless it now matches on something new.
        Returns True when the pair is (again) an open possible duplicate."""
        first, second = sorted((application_id, other_id))
        where = (duplicate_matches.c.application_id == first, duplicate_matches.c.other_id == second)
        row = self.session.execute(select(duplicate_matches).where(*where)).mappings().first()
        if row is None:
            self.session.execute(insert(duplicate_matches).values(
                application_id=first, other_id=second, matched_on=sorted(matched_on), found_at=at))
            return True
        known = set(row["matched_on"])
        if set(matched_on) <= known:
            return row["cleared_at"] is None
        self.session.execute(update(duplicate_matches).where(*where).values(
            matched_on=sorted(known | set(matched_on)), found_at=at, cleared_at=None, cleared_by=None,
            cleared_reason=None))
        return True

    def clear_matches(self, application_id: str, other_ids: list[str], by: str, reason: str, at: datetime) -> int:
        pairs = or_(and_(duplicate_matches.c.application_id == application_id,
                         duplicate_matches.c.other_id.in_(other_ids)),
                    and_(duplicate_matches.c.other_id == application_id,
                         duplicate_matches.c.application_id.in_(other_ids)))
        return self.session.execute(update(duplicate_matches).where(pairs, duplicate_matches.c.cleared_at.is_(None))
                                    .values(cleared_at=at, cleared_by=by, cleared_reason=reason)).rowcount
