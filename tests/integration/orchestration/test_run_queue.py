"""The background runner's queue and lock, on real files and across real processes."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from onboarding.adapters.run_queue import RunQueue


def test_requests_come_out_oldest_first_and_a_second_request_for_an_application_is_kept(tmp_path):
    queue = RunQueue(tmp_path)
    queue.add(["APP-AAAA1111", "APP-BBBB2222"])
    first = queue.pending()
    queue.add(["APP-AAAA1111"])  # an upload while the first check of it is under way

    queue.done(first)

    assert [run.application_id for run in first] == ["APP-AAAA1111", "APP-BBBB2222"]
    assert [run.application_id for run in queue.pending()] == ["APP-AAAA1111"]


def test_a_read_ahead_hint_is_taken_once_and_is_not_a_run_request(tmp_path):
    queue, runner = RunQueue(tmp_path), RunQueue(tmp_path)  # the command's and the serve's runner's
    queue.hint_read_ahead(["APP-AAAA1111"])
    queue.hint_read_ahead(["APP-BBBB2222"])

    assert runner.take_hints() == ["APP-AAAA1111", "APP-BBBB2222"]
    assert runner.take_hints() == []
    assert queue.pending() == []  # only the run request that follows starts a run


def test_one_runner_at_a_time_and_the_lock_ends_with_the_process_that_holds_it(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from onboarding.adapters.run_queue import RunQueue
        assert RunQueue(Path({str(tmp_path)!r})).try_lock()
        print("locked", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert not RunQueue(tmp_path).try_lock()
    finally:
        holder.kill()
        holder.wait()
    queue = RunQueue(tmp_path)
    assert queue.try_lock()
    queue.release()


def test_a_lock_handed_to_a_launched_process_stays_taken_after_the_starter_lets_go(tmp_path):
    starter = RunQueue(tmp_path)
    assert starter.try_lock()
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE,
                             pass_fds=(starter.lock_fd,))
    try:
        starter.hand_over()
        assert not RunQueue(tmp_path).try_lock()
    finally:
        child.kill()
        child.wait()
    assert RunQueue(tmp_path).try_lock()


def test_a_listening_runner_wakes_when_another_process_queues_and_sleeps_while_nothing_comes(tmp_path):
    runner = RunQueue(tmp_path)
    runner.requests_bell.listen()
    assert runner.requests_bell.wait(0.2) is False  # nothing queued: it waited the whole time

    subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        from onboarding.adapters.run_queue import RunQueue
        RunQueue(Path({str(tmp_path)!r})).add(["APP-AAAA1111"])
        """)], check=True)

    assert runner.requests_bell.wait(30) is True
    assert [run.application_id for run in runner.pending()] == ["APP-AAAA1111"]
    assert runner.requests_bell.wait(0.2) is False  # the ring was used up
    assert runner.hints_bell.wait(0.1) is False  # a run request does not ring for read-ahead


def test_queueing_with_nobody_listening_neither_blocks_nor_fails(tmp_path):
    queue = RunQueue(tmp_path)
    queue.add(["APP-AAAA1111"])  # no runner ever: no doorbell yet
    subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        from onboarding.adapters.run_queue import RunQueue
        RunQueue(Path({str(tmp_path)!r})).requests_bell.listen()
        """)], check=True)  # a runner that listened and died: the doorbell is there, nobody reads it
    queue.add(["APP-BBBB2222"])
    queue.hint_read_ahead(["APP-BBBB2222"])
    assert len(queue.pending()) == 2
