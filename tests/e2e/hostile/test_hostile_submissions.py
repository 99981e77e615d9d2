"""Hostile and malformed input through the `onboard submit` CLI: refused in one line, nothing stored.

The corpus is built by tests/support/hostile_*.py. The bulk runs through a CLI fork server (each
case its own process, see tests/support/cli_forkserver.py); a sample from every family also runs as
a fresh `python -m onboarding.cli.main` subprocess and must behave identically. Cases the product
currently mishandles carry the bug and run as strict xfails, one test each, so a fix shows up as
an XPASS and the case can join the main corpus.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.hostile.lanes import case_problems, describe, forked_cli, run_in_lanes
from tests.support.cli_forkserver import ForkServer
from tests.support.cli_process import CliRun, refusal_environment, refusal_problems, run_onboard_with_env
from tests.support.hostile_cases import HostileCase, hostile_cases
from tests.support.installation import home_state, seed_one_application

pytestmark = pytest.mark.e2e

LANES = 3
MINIMUM_CORPUS = 40

ALL_CASES = hostile_cases()
EXPECTED_TO_PASS = [case for case in ALL_CASES if case.known_bug is None]
KNOWN_BUGS = [case for case in ALL_CASES if case.known_bug is not None]
# One of each kind of refusal, run the slow, fully independent way too.
FRESH_PROCESS_SAMPLE = ("document:png_bomb_100000x100000", "document:pdf_open_action", "document:gif_named_jpg",
                        "application:gbk_encoded", "application:top_level_list", "arguments:doc_over_size_limit")
HEX_ADDRESS = re.compile(r"0x[0-9a-f]+")


def test_corpus_is_large_and_covers_every_family() -> None:
    assert len(ALL_CASES) >= MINIMUM_CORPUS
    assert {case.family for case in ALL_CASES} == {"document", "application", "arguments"}
    assert set(FRESH_PROCESS_SAMPLE) <= {case.id for case in EXPECTED_TO_PASS}


def test_every_hostile_submission_is_refused_in_one_line_and_changes_nothing(tmp_path: Path) -> None:
    report = run_in_lanes(EXPECTED_TO_PASS, tmp_path, LANES)
    assert sorted(report.ran) == sorted(case.id for case in EXPECTED_TO_PASS)
    assert not report.failures, (
        f"{len(report.failures)} of {len(EXPECTED_TO_PASS)} hostile cases were not refused cleanly:\n"
        + describe(report.failures))


def _comparable(run: CliRun) -> tuple[int, str, str]:
    return run.exit_code, run.stdout, HEX_ADDRESS.sub("0x…", run.stderr)


def test_a_fresh_process_refuses_exactly_as_the_fork_server_does(tmp_path: Path, fork_server: ForkServer) -> None:
    home = tmp_path / "home"
    seed_one_application(home)
    env = refusal_environment(home)
    differences, failures = {}, {}
    for case in [c for c in ALL_CASES if c.id in FRESH_PROCESS_SAMPLE]:
        folder = tmp_path / case.family / case.name
        folder.mkdir(parents=True)
        args = ["submit", *case.prepare(folder), "--wait"]
        before = home_state(home)
        fresh = run_onboard_with_env(env, *args, cwd=folder)
        forked = fork_server.run(args, env, folder)
        if _comparable(fresh) != _comparable(forked):
            differences[case.id] = [f"fresh {_comparable(fresh)} != forked {_comparable(forked)}"]
        problems = refusal_problems(fresh, case.mentions) + before.differences(home_state(home))
        if problems:
            failures[case.id] = problems
    assert not differences, describe(differences)
    assert not failures, describe(failures)


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id, marks=pytest.mark.xfail(strict=True,
                                                                                          reason=case.known_bug))
                                  for case in KNOWN_BUGS])
def test_known_bug_case_is_refused_in_one_line_and_changes_nothing(case: HostileCase, tmp_path: Path,
                                                                   fork_server: ForkServer) -> None:
    home = tmp_path / "home"
    seed_one_application(home)
    problems = case_problems(case, home, tmp_path / "work", forked_cli(fork_server, home))
    assert not problems, describe({case.id: problems})
