"""What-if: how a candidate rule set would decide applications, next to the current rules, differences only.

Pure: facts, waivers, both rule sets and one day in; a report out. Both sides are evaluated here,
rather than the candidate against stored decisions, so that the only thing that differs between
them is the rules (a stored decision may be from another day or older OCR). Finding the applications
is the caller's job (`onboarding.service.what_if`).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from rules.engine import Waiver, evaluate
from rules.model import ApplicationFacts, Decision, Deficiency, Outcome
from rules.schema import RuleSet


class Finding(BaseModel):
    """A deficiency as the comparison sees it: what is wrong and where, not how the message words it.

    A reworded message or a changed threshold in the evidence is the same finding; a different
    code, document or field is another one.
    """

    model_config = ConfigDict(frozen=True)

    code: str
    document_type: str | None = None
    field: str | None = None

    @classmethod
    def of(cls, deficiency: Deficiency) -> Finding:
        document_type = str(deficiency.document_type) if deficiency.document_type else None
        return cls(code=deficiency.code, document_type=document_type, field=deficiency.field)


class ExplainedFinding(Finding):
    """An added or removed finding, with the staff note of the side that has it, so staff see why."""

    note: str


class Side(BaseModel):
    outcome: Outcome
    deficiencies: list[Finding]


class ApplicationChange(BaseModel):
    application_id: str
    before: Side
    after: Side
    added: list[ExplainedFinding]
    removed: list[ExplainedFinding]

    @property
    def transition(self) -> tuple[Outcome, Outcome]:
        return self.before.outcome, self.after.outcome


class Transition(BaseModel):
    before: Outcome
    after: Outcome
    count: int


class WhatIfReport(BaseModel):
    rules_before: str
    rules_after: str
    evaluated_on: date
    evaluated: int
    changed: list[ApplicationChange]

    @property
    def transitions(self) -> list[Transition]:
        """Changed applications by (before, after) outcome, most frequent first; equal outcomes mean new findings."""
        counts = Counter(change.transition for change in self.changed)
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1]))
        return [Transition(before=before, after=after, count=count) for (before, after), count in ordered]

    def as_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["summary"] = {"evaluated": self.evaluated, "changed": len(self.changed),
                           "by_transition": [t.model_dump(mode="json") for t in self.transitions]}
        return data


@dataclass(frozen=True)
class WhatIfCase:
    """One application as the rules see it: its facts and the staff waivers in force."""

    application_id: str
    facts: ApplicationFacts
    waivers: frozenset[Waiver] = frozenset()


def compare(case: WhatIfCase, current: RuleSet, candidate: RuleSet, today: date) -> ApplicationChange | None:
    """The change the candidate rules make to one application, or None when outcome and findings stay."""
    before = evaluate(case.facts, current, today, case.waivers)
    after = evaluate(case.facts, candidate, today, case.waivers)
    return diff_decisions(case.application_id, before, after)


def diff_decisions(application_id: str, before: Decision, after: Decision) -> ApplicationChange | None:
    before_keys = [Finding.of(d) for d in before.deficiencies]
    after_keys = [Finding.of(d) for d in after.deficiencies]
    if before.outcome == after.outcome and set(before_keys) == set(after_keys):
        return None
    return ApplicationChange(
        application_id=application_id,
        before=Side(outcome=before.outcome, deficiencies=before_keys),
        after=Side(outcome=after.outcome, deficiencies=after_keys),
        added=_explained(after.deficiencies, exclude=set(before_keys)),
        removed=_explained(before.deficiencies, exclude=set(after_keys)),
    )


def what_if(cases: Iterable[WhatIfCase], current: RuleSet, candidate: RuleSet, today: date) -> WhatIfReport:
    """Every case evaluated under both rule sets on the same day; the report lists only those that change."""
    evaluated = 0
    changed: list[ApplicationChange] = []
    for case in cases:
        evaluated += 1
        change = compare(case, current, candidate, today)
        if change is not None:
            changed.append(change)
    return WhatIfReport(rules_before=current.version_label, rules_after=candidate.version_label,
                        evaluated_on=today, evaluated=evaluated, changed=changed)


def _explained(deficiencies: list[Deficiency], exclude: set[Finding]) -> list[ExplainedFinding]:
    return [ExplainedFinding(**Finding.of(d).model_dump(), note=d.staff_note)
            for d in deficiencies if Finding.of(d) not in exclude]
