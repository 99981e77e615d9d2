"""Measured proposals for product code, without editing it: each variant is a scratch copy of the repository
with one textual patch applied, run through the same stub-OCR engine job (OCR replayed instantly, so only the
engine's own cost is timed), alternating with the unpatched copy.

    .venv/bin/python -m bench.engine_overhead.proposals --manifest M --readings R [--count 10] [--rounds 2]

M and R come from a suite run kept with --scratch (samples/manifest.json, throughput/raw-readings.json).
Every variant also runs with Prefect's flow heartbeat off (job `stub-heartbeat-off`). A patch that no longer
applies (the product changed) is reported, not guessed.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.engine_overhead.processes import REPO, clean_env, run_measured  # noqa: E402

NO_TASK_TAGS = ("flows/launch.py", '''    with tags(checking.merchant_type_of(services, application_id), "onboarding"):
        return onboard_application(application_id, force=force)''', '''    return onboard_application(application_id, force=force)''')

MERGED_TASKS = [("flows/onboard.py", '''@task(name="check", **STEP)
def check(application_id: str) -> Decision:
    return checking.evaluate_application(get_services(), application_id)
''', '''@task(name="check", **STEP)
def check(application_id: str) -> Decision:
    return checking.evaluate_application(get_services(), application_id)


@task(name="read-document", task_run_name="read-{document_id}", retries=2, retry_delay_seconds=1, **STEP)
def read_document(document_id: str) -> None:
    checking.ocr_document(get_services(), document_id)
    checking.extract_document(get_services(), document_id)


@task(name="check-and-decide", retries=2, retry_delay_seconds=1, **STEP)
def check_and_decide(application_id: str, fingerprint: str) -> str:
    services = get_services()
    decision = checking.evaluate_application(services, application_id)
    return str(checking.record_decision(services, application_id, decision, fingerprint))
'''), ("flows/onboard.py", '''    extracted = [
        extract.submit(document_id, wait_for=[ocr.submit(document_id)])
        for document_id in plan.ocr_document_ids
    ]
    decision = check.submit(application_id, wait_for=extracted).result()
    state = decide(application_id, decision, plan.fingerprint)''', '''    read = [read_document.submit(document_id) for document_id in plan.ocr_document_ids]
    state = check_and_decide.submit(application_id, plan.fingerprint, wait_for=read).result()''')]

VARIANTS: dict[str, list[tuple[str, str, str]]] = {
    "as is": [],
    "no task-run tags": [NO_TASK_TAGS],
    "ocr+extract and check+decide merged": MERGED_TASKS,
    "both": [NO_TASK_TAGS, *MERGED_TASKS],
}


def scratch_copy(root: Path, name: str, patches: list[tuple[str, str, str]]) -> Path:
    target = root / name.replace(" ", "-").replace("+", "")
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".onboard"))
    for relative, old, new in patches:
        path = target / relative
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise SystemExit(f"{name}: the patch for {relative} no longer applies (the product changed)")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def run_variant(copy: Path, manifest: Path, readings: Path, count: int, out: Path) -> dict:
    command = [sys.executable, "-m", "bench.engine_overhead.engine_worker", "--manifest", str(manifest),
               "--homes", str(out.with_suffix("")), "--out", str(out), "--jobs", "stub,stub-heartbeat-off",
               "--readings", str(readings), "--stub-count", str(count)]
    env = clean_env(PYTHONPATH=str(copy))
    run_measured(command, env, cwd=copy, scratch=out.parent).check()
    return json.loads(out.read_text(encoding="utf-8"))["jobs"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--readings", type=Path, required=True)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    per_app: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="proposals-") as scratch:
        root = Path(scratch)
        copies = {name: scratch_copy(root, name, patches) for name, patches in VARIANTS.items()}
        names = list(VARIANTS)
        for round_number in range(args.rounds):
            for name in (names if round_number % 2 == 0 else names[::-1]):
                jobs = run_variant(copies[name], args.manifest, args.readings, args.count,
                                   root / f"r{round_number}-{names.index(name)}.json")
                for job, value in jobs.items():
                    per_app.setdefault((name, job), []).append(value["loop_s"] / len(value["applications"]))
                print(f"[proposals] round {round_number + 1}: {name} done", file=sys.stderr, flush=True)
    print("| variant | heartbeat | s per application (each run) | best |\n|---|---|---|---|")
    for (name, job), values in per_app.items():
        heartbeat = "off" if "heartbeat-off" in job else "on"
        print(f"| {name} | {heartbeat} | {' / '.join(f'{v:.2f}' for v in values)} | {min(values):.2f} |")


if __name__ == "__main__":
    main()
