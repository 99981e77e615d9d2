"""Hostile and malformed input through the real `onboard submit`: refused in one line, nothing stored.

The corpus is built by tests/support/hostile_*.py. Cases the product currently mishandles are
listed with the bug and run as strict xfails, one per case, so a fix turns them into failures
to be moved into the main corpus.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.hostile.lanes import case_problems, describe, run_in_lanes
from tests.support.hostile_cases import HostileCase, hostile_cases
from tests.support.installation import seed_one_application

pytestmark = pytest.mark.e2e

LANES = 3
MINIMUM_CORPUS = 40

ALL_CASES = hostile_cases()
EXPECTED_TO_PASS = [case for case in ALL_CASES if case.known_bug is None]
KNOWN_BUGS = [case for case in ALL_CASES if case.known_bug is not None]


def test_corpus_is_large_and_covers_every_family() -> None:
    assert len(ALL_CASES) >= MINIMUM_CORPUS
    assert {case.family for case in ALL_CASES} == {"document", "application", "arguments"}


def test_every_hostile_submission_is_refused_in_one_line_and_changes_nothing(tmp_path: Path,
                                                                             prefect_api_url: str) -> None:
    report = run_in_lanes(EXPECTED_TO_PASS, tmp_path, prefect_api_url, LANES)
    assert sorted(report.ran) == sorted(case.id for case in EXPECTED_TO_PASS)
    assert not report.failures, (
        f"{len(report.failures)} of {len(EXPECTED_TO_PASS)} hostile cases were not refused cleanly:\n"
        + describe(report.failures))


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id, marks=pytest.mark.xfail(strict=True,
                                                                                          reason=case.known_bug))
                                  for case in KNOWN_BUGS])
def test_known_bug_case_is_refused_in_one_line_and_changes_nothing(case: HostileCase, tmp_path: Path,
                                                                   prefect_api_url: str) -> None:
    home = tmp_path / "home"
    seed_one_application(home)
    problems = case_problems(case, home, tmp_path / "work", prefect_api_url)
    assert not problems, describe({case.id: problems})
