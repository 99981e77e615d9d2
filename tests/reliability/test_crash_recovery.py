"""SIGKILL the worker at every crash point (twice by default), rerun, and compare with runs nobody interrupted.

After every crash and `onboard rerun --failed`, each application must end exactly where an uninterrupted
run of the same documents ends: same state and findings, every message sent once, every document kept.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from documents.samples.applications import sample_application
from documents.types import OCR_DOCUMENT_TYPES
from tests.support.crashing_cli import POINTS

# Every crash point is hit this many times, each time in another sample where the point allows it.
CRASH_ROUNDS = int(os.environ.get("ONBOARD_CRASH_ROUNDS", "2"))
SAMPLES = [(61, "small_micro", "complete"), (62, "sole_trader", "expired_id"), (63, "small_micro", "missing_back")]
# How often each point is passed in one run, so the Nth call drawn is one that happens; None: once per
# OCR-able document of the sample.
CALLS_PER_RUN = {"after-submit-commit": 1, "during-ocr": None, "after-ocr": None, "after-extract": None,
                 "before-decision": 1, "after-decision": 1, "before-send": 2, "after-send": 2,
                 "after-terminal-assigned": 1}
assert set(CALLS_PER_RUN) <= set(POINTS)
# Points passed only when a file is really read (not found among the readings kept from earlier runs).
NEEDS_FRESH_OCR = {"during-ocr", "after-ocr"}


def crash_plan(rounds: int) -> list[tuple[tuple, str, int]]:
    """(sample, point, which call of the point kills) for every point, `rounds` times; the call drawn at random."""
    rng = random.Random(rounds)
    plan = []
    for round_number in range(rounds):
        for index, point in enumerate(CALLS_PER_RUN):
            samples = [s for s in SAMPLES if s[2] == "complete" or point != "after-terminal-assigned"]
            sample = samples[(index + round_number) % len(samples)]
            plan.append((sample, point, rng.randint(1, calls_per_run(sample, point))))
    return plan


def calls_per_run(sample: tuple, point: str) -> int:
    return CALLS_PER_RUN[point] or _ocr_documents(sample)


@functools.cache
def _ocr_documents(sample: tuple) -> int:
    return sum(1 for t in sample_application(*sample).documents if t in OCR_DOCUMENT_TYPES)


def onboard(env: dict, *args: str, crash: tuple[str, int] | None = None) -> subprocess.CompletedProcess:
    prefix = ["-m", "tests.support.crashing_cli", crash[0], str(crash[1]), "--"] if crash else \
        ["-m", "onboarding.cli.main"]
    return subprocess.run([sys.executable, *prefix, *args], env=env, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])


def write_sample(folder: Path, seed: int, merchant_type: str, scenario: str, fresh_bytes: int = 0) -> list[str]:
    """`fresh_bytes` > 0 re-encodes every document losslessly as PNG (same pixels, new sha256), so the OCR
    cache filled by earlier runs does not apply and a crash during OCR can happen."""
    sample = sample_application(seed, merchant_type, scenario)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "application.json").write_text(json.dumps(sample.payload, ensure_ascii=False), encoding="utf-8")
    args = [str(folder / "application.json")]
    for document_type, data in sample.documents.items():
        path = folder / (f"{document_type}.png" if fresh_bytes else f"{document_type}.jpg")
        path.write_bytes(as_png(data, fresh_bytes) if fresh_bytes else data)
        args += ["--doc", f"{document_type}={path}"]
    return args


def as_png(jpeg: bytes, variant: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).save(buffer, "PNG", compress_level=variant % 10, pnginfo=_tag(variant))
    return buffer.getvalue()


def _tag(variant: int):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("variant", str(variant))
    return info


def submitted_files(args: list[str]) -> list[tuple[str, str]]:
    pairs = [a.split("=", 1) for a in args if "=" in a]
    return sorted((t, hashlib.sha256(Path(p).read_bytes()).hexdigest()) for t, p in pairs)


def outcome(home: Path, application_id: str) -> dict:
    """What a user can tell about an application: its state, its findings, the messages it was sent."""
    with _database(home) as db:
        state = db.execute(sa.text("SELECT state FROM applications WHERE id = :a"), {"a": application_id}).scalar_one()
        latest = db.execute(sa.text("SELECT deficiency_codes FROM decisions WHERE application_id = :a "
                                    "ORDER BY id DESC LIMIT 1"), {"a": application_id}).scalar_one()
        messages = db.execute(sa.text("SELECT idempotency_key, sent_at IS NOT NULL FROM outbox "
                                      "WHERE application_id = :a"), {"a": application_id}).all()
    return {
        "state": state,
        "codes": sorted((d["code"], d["document_type"]) for d in json.loads(latest)),
        "messages": sorted((key.split(":", 1)[1], bool(sent)) for key, sent in messages),
    }


def stored_documents(home: Path, application_id: str) -> list[tuple[str, str]]:
    with _database(home) as db:
        rows = db.execute(sa.text("SELECT document_type, sha256 FROM documents WHERE application_id = :a "
                                  "AND superseded_at IS NULL"), {"a": application_id}).all()
    return sorted((t, h) for t, h in rows)


@contextmanager
def _database(home: Path):
    engine = sa.create_engine(f"sqlite:///{home / 'onboard.db'}")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@pytest.fixture
def envs(tmp_path, prefect_api_url):
    def env(name: str) -> tuple[dict, Path]:
        home = tmp_path / name
        return {**os.environ, "ONBOARD_HOME": str(home), "PREFECT_API_URL": prefect_api_url,
                "ONBOARD_OUTBOX_LEASE_SECONDS": "1", "OMP_THREAD_LIMIT": "1"}, home

    return env


def test_killed_runs_finish_as_if_never_interrupted(tmp_path, envs):
    # One installation for both: the uninterrupted runs fill the OCR cache the crashing runs then reuse.
    calm_env, calm_home = envs("home")
    crash_env, crash_home = calm_env, calm_home
    sample_args = {s: write_sample(tmp_path / f"sample-{s[0]}", *s) for s in SAMPLES}

    # Each sample twice without interruption: the crashing runs submit the same merchant again, which the
    # second submission shows too (a staff-only possible duplicate of the first), so it is what they must match.
    expected, uninterrupted = {}, set()
    for submission in range(2):
        for sample, args in sample_args.items():
            done = onboard(calm_env, "submit", *args, "--wait", "--json")
            assert done.returncode == 0, done.stderr
            uninterrupted.add(json.loads(done.stdout)["application_id"])
            expected[sample] = outcome(calm_home, json.loads(done.stdout)["application_id"])
    assert all(("possible_duplicate", None) in e["codes"] for e in expected.values()), expected

    crashes = crash_plan(CRASH_ROUNDS)
    assert {point for _, point, _ in crashes} == set(CALLS_PER_RUN)

    def crash_run(run: int) -> tuple:
        sample, point, nth = crashes[run]
        args = (write_sample(tmp_path / f"run-{run}", *sample, fresh_bytes=run + 1) if point in NEEDS_FRESH_OCR
                else sample_args[sample])
        done = onboard(crash_env, "submit", *args, "--wait", "--json", crash=(point, nth))
        assert done.returncode in (0, -9), done.stderr[-2000:]
        return run, sample, point, done.returncode, submitted_files(args)

    # Two at a time: the runs share one database and Prefect server, as concurrent workers would.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(crash_run, range(len(crashes))))
    plan = [r[:4] for r in results]
    files_of = {r[0]: r[4] for r in results}
    sample_of_files = {tuple(r[4]): r[1] for r in results}
    killed = sum(1 for r in results if r[3] == -9)
    assert killed >= len(crashes) * 9 // 10, plan

    time.sleep(1.2)  # let the claims of killed senders lapse (lease 1 s in this test)
    rerun = onboard(crash_env, "rerun", "--failed", "--grace-minutes", "0", "--json")
    assert rerun.returncode == 0, rerun.stderr

    with _database(crash_home) as db:
        crashed = [a for (a,) in db.execute(sa.text("SELECT id FROM applications")).all() if a not in uninterrupted]
    assert len(crashed) == len(crashes)  # every crash point comes after the submission committed: none lost
    for application_id in crashed:
        sample = sample_of_files[tuple(stored_documents(crash_home, application_id))]
        assert outcome(crash_home, application_id) == expected[sample], (application_id, plan)
    # Zero lost documents: every run's application holds exactly the files that run submitted.
    kept = sorted(stored_documents(crash_home, a) for a in crashed)
    assert kept == sorted(files_of.values())

    files = Counter(p.name for p in (crash_home / "outbox").rglob("*.json"))
    assert all(n == 1 for n in files.values())
    # Every stored file whole: it opens (encrypted at rest, authenticated) to the bytes its name hashes.
    from documents.storage import LocalBlobStore
    from onboarding.adapters.encryption import configured_sealer
    from onboarding.settings import Settings

    store = LocalBlobStore(crash_home / "documents", configured_sealer(Settings(home=crash_home)))
    blobs = [p for p in (crash_home / "documents").rglob("*") if p.is_file()]
    assert all(hashlib.sha256(store.get(p.name)).hexdigest() == p.name for p in blobs)
    print(f"crash runs: {len(crashes)}, killed: {killed}, points: {Counter(p for _, _, p, c in plan if c == -9)}")
