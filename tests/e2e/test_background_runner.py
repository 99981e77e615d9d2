"""Starts without --wait: one background runner per installation takes every queued application."""
from __future__ import annotations

import time

from onboarding.adapters.run_queue import RunQueue
from tests.e2e.conftest import doc_args


def wait_until_decided(onboard, application_ids: list[str], timeout_s: float = 240) -> dict[str, str]:
    deadline = time.monotonic() + timeout_s
    while True:
        states = {row["application_id"]: row["state"] for row in onboard("status", "--json").json()}
        if all(states.get(a) not in (None, "submitted", "checking") for a in application_ids) \
                or time.monotonic() > deadline:
            return {a: states.get(a) for a in application_ids}
        time.sleep(1)


def test_a_submission_without_wait_is_decided_in_the_background(onboard, onboard_home, write_sample):
    app_file, docs, _ = write_sample(71, "small_micro", "missing_back")
    submitted = onboard("submit", str(app_file), *doc_args(docs), "--json")
    assert submitted.exit_code == 0, submitted.stderr
    application_id = submitted.json()["application_id"]

    assert wait_until_decided(onboard, [application_id]) == {application_id: "needs_documents"}
    deadline = time.monotonic() + 60
    while RunQueue(onboard_home / "run").pending() and time.monotonic() < deadline:
        time.sleep(0.5)  # the runner has decided it; it drops the request once its run has ended
    assert RunQueue(onboard_home / "run").pending() == []


def test_starts_while_a_runner_works_only_queue_and_that_runner_takes_them_all(onboard, onboard_home, write_sample):
    running = RunQueue(onboard_home / "run")
    assert running.try_lock()  # as a runner busy with an earlier batch holds it
    try:
        ids = []
        for seed, kind, scenario in ((72, "small_micro", "complete"), (73, "sole_trader", "expired_id")):
            app_file, docs, _ = write_sample(seed, kind, scenario)
            submitted = onboard("submit", str(app_file), *doc_args(docs), "--json")
            assert submitted.exit_code == 0, submitted.stderr
            ids.append(submitted.json()["application_id"])
        assert [run.application_id for run in running.pending()] == ids
        assert {row["state"] for row in onboard("status", "--json").json()} == {"submitted"}
    finally:
        running.release()

    # What the busy runner does once its batch is done: let go of the lock, find the queue not empty, take it on.
    drained = onboard("rerun", "--queued", "--json")

    assert drained.exit_code == 0, drained.stderr
    assert {row["application_id"]: row["state"] for row in drained.json()} == \
        {ids[0]: "approved", ids[1]: "needs_documents"}
    assert running.pending() == []
