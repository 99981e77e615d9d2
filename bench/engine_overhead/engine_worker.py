"""Subprocess: runs the engine in process on the shared sample set and reports timings as JSON.

    python -m bench.engine_overhead.engine_worker --manifest M --homes DIR --out OUT.json \
        --jobs sequential,rerun [--threads 2] [--readings R.json] [--profile]

Jobs (each in its own fresh ONBOARD_HOME, so the OCR cache is cold; Prefect's ephemeral API is started once):
  sequential  `onboard demo`'s loop: submit_application → run_onboarding, one application after another
  threads     the same, N applications at a time on threads (submit → run per thread)
  stub        `sequential` with OCR answered instantly by the readings of the raw run (engine cost only)
  rerun       rerun of a finished application from `sequential`: OCR calls and wall time, warm process
  stub-heartbeat-off   `stub` with Prefect's flow-run heartbeat switched off (a measured proposal)
A job name may carry a suffix ("stub#2") to run the same kind again in a fresh home.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

STARTED = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.engine_overhead.samples import SampleApp, load_sample_set  # noqa: E402


def fresh_services(home: Path):
    from onboarding.bootstrap import get_services, reset_services

    os.environ["ONBOARD_HOME"] = str(home)
    reset_services()
    services = get_services()
    with services.uow():
        pass  # migrations run here, outside the timed loop
    return services


def start_prefect() -> float:
    """Imports the flow and starts the ephemeral API now, so its cost is reported on its own."""
    started = time.perf_counter()
    from prefect.client.orchestration import get_client

    import flows.onboard  # noqa: F401

    with get_client(sync_client=True) as client:
        client.hello()
    return time.perf_counter() - started


HEARTBEAT_OFF = False  # --heartbeat-off: a measured proposal, see heartbeat_setting()


def heartbeat_setting():
    """Prefect joins its heartbeat thread at the end of every flow run; the thread sleeps in 1 s steps, so
    each run waits up to 1 s for it. Embedded runs have no worker whose crash a heartbeat would reveal."""
    from contextlib import nullcontext

    if not HEARTBEAT_OFF:
        return nullcontext()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def onboard_one(services, app: SampleApp) -> dict:
    from documents.types import DocumentType
    from flows.launch import run_onboarding
    from onboarding.service.application_input import parse_application
    from onboarding.service.submission import UploadedFile, submit_application

    started = time.perf_counter()
    payload = parse_application(json.loads(Path(app.application_file).read_text(encoding="utf-8")))
    files = [UploadedFile(DocumentType(t), Path(p).read_bytes(), Path(p).name) for t, p in app.documents.items()]
    application_id = submit_application(services, payload, files, actor="bench")
    submitted = time.perf_counter()
    with heartbeat_setting():
        state = run_onboarding(services, application_id)
    finished = time.perf_counter()
    return {"index": app.index, "application_id": application_id, "merchant_type": app.merchant_type,
            "scenario": app.scenario, "state": state, "submit_s": submitted - started, "flow_s": finished - submitted,
            "wall_s": finished - started}


def ocr_by_application(services) -> dict[str, dict]:
    """From our database: OCR seconds recorded per application (ocr_readings.seconds)."""
    import sqlalchemy as sa

    query = sa.text("""
        SELECT d.application_id, COUNT(*) AS documents, SUM(r.seconds) AS seconds, MAX(r.seconds) AS longest
        FROM documents d JOIN ocr_readings r ON r.sha256 = d.sha256 AND r.document_type = d.document_type
        GROUP BY d.application_id""")
    with services.uow() as uow:
        return {row.application_id: {"ocr_documents": row.documents, "ocr_s": row.seconds, "ocr_longest_s": row.longest}
                for row in uow.session.execute(query)}


def ocr_reading_count(services) -> int:
    import sqlalchemy as sa

    with services.uow() as uow:
        return uow.session.execute(sa.text("SELECT COUNT(*) FROM ocr_readings")).scalar_one()


def cpu_so_far_s() -> float:
    """This process, the tesseract processes it reaped, and its (live) Prefect API server."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + prefect_server_cpu_s()


def run_batch(services, samples: list[SampleApp], threads: int) -> dict:
    cpu_before = cpu_so_far_s()
    started = time.perf_counter()
    if threads <= 1:
        applications = [onboard_one(services, app) for app in samples]
    else:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bench-app") as pool:
            applications = list(pool.map(lambda app: onboard_one(services, app), samples))
    loop_s = time.perf_counter() - started
    cpu_s = cpu_so_far_s() - cpu_before
    ocr = ocr_by_application(services)
    for row in applications:
        row.update(ocr.get(row["application_id"], {"ocr_documents": 0, "ocr_s": 0.0, "ocr_longest_s": 0.0}))
    return {"loop_s": loop_s, "cpu_s": cpu_s, "applications": applications}


def rerun_finished(services, application_id: str, repeats: int) -> dict:
    from bench.engine_overhead.engines import CountingEngine
    from bench.engine_overhead.shortcut import nothing_to_do
    from flows.launch import run_onboarding

    counting = CountingEngine(services.ocr)
    services.__dict__["ocr"] = counting
    readings_before = ocr_reading_count(services)
    timings, states = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        with heartbeat_setting():
            states.append(run_onboarding(services, application_id))
        timings.append(time.perf_counter() - started)
    shortcut = []
    for _ in range(repeats):
        started = time.perf_counter()
        nothing_to_do(services, application_id)
        shortcut.append(time.perf_counter() - started)
    return {"application_id": application_id, "ocr_calls": counting.calls,
            "ocr_readings_added": ocr_reading_count(services) - readings_before, "states": states,
            "run_onboarding_s": timings, "shortcut_check_s": shortcut}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--homes", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--jobs", default="sequential")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--readings", type=Path)
    parser.add_argument("--stub-count", type=int)
    parser.add_argument("--rerun-repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile (CPU per thread) around the stub job")
    parser.add_argument("--heartbeat-off", action="store_true", help="run flows without Prefect's heartbeat thread")
    args = parser.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    samples = load_sample_set(args.manifest)
    jobs = args.jobs.split(",")

    from onboarding.runtime import configure_prefect

    services = fresh_services(args.homes / jobs[0])
    configure_prefect(services.settings)  # PREFECT_HOME under the first job's home, as the CLI would
    report: dict = {"imports_s": time.perf_counter() - STARTED, "prefect_start_s": start_prefect(), "jobs": {}}
    global HEARTBEAT_OFF
    finished_app, sequential_home, profiled = None, None, False
    for job in jobs:
        kind = job.split("#", 1)[0]  # "stub#2": a second run of the same kind, reported separately
        HEARTBEAT_OFF = args.heartbeat_off or kind.endswith("-heartbeat-off")
        if kind == "rerun":  # back in the home where `sequential` finished its applications
            if sequential_home is None:
                raise SystemExit("the rerun job needs the sequential job before it")
            result = rerun_finished(fresh_services(sequential_home), finished_app, args.rerun_repeats)
        elif kind in ("sequential", "threads"):
            home = args.homes / job
            services = fresh_services(home) if job != jobs[0] else services
            result = run_batch(services, samples, args.threads if kind == "threads" else 1)
            if kind == "sequential":
                sequential_home = home
                finished_app = next((a["application_id"] for a in result["applications"] if a["scenario"] == "complete"),
                                    result["applications"][0]["application_id"])
        elif kind in ("stub", "stub-heartbeat-off"):
            services = fresh_services(args.homes / job) if job != jobs[0] else services
            profile = args.profile and kind == "stub" and not profiled
            profiled = profiled or profile
            result = stub_job(services, samples[: args.stub_count or len(samples)], args.readings, profile)
        else:
            raise SystemExit(f"unknown job {job}")
        result["done_at_s"] = time.perf_counter() - STARTED  # since this interpreter started: end to end
        report["jobs"][job] = result
        print(f"[engine_worker] {job} done", file=sys.stderr, flush=True)
    report["prefect_server_cpu_s"] = prefect_server_cpu_s()
    args.out.write_text(json.dumps(report, default=str), encoding="utf-8")


def stub_job(services, samples: list[SampleApp], readings: Path | None, profile: bool) -> dict:
    from bench.engine_overhead.engines import replay_engine_for

    if readings is None:
        raise SystemExit("stub jobs need --readings from a raw OCR run")
    services.__dict__["ocr"] = replay_engine_for(samples, readings, services)
    server_cpu_before = prefect_server_cpu_s()
    cpu_before = time.process_time()
    if profile:
        from bench.engine_overhead.profiling import ThreadProfiler, by_category, top_functions

        with ThreadProfiler() as profiler:
            result = run_batch(services, samples, 1)
        stats = profiler.stats()
        result["profile_by_category_s"] = by_category(stats)
        result["profile_top"] = top_functions(stats, 25)
    else:
        result = run_batch(services, samples, 1)
    result["process_cpu_s"] = time.process_time() - cpu_before
    result["prefect_server_cpu_s"] = prefect_server_cpu_s() - server_cpu_before
    return result


def prefect_server_cpu_s() -> float:
    """CPU seconds used so far by this process's ephemeral Prefect API server (a child uvicorn process)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            if int(fields[1]) != os.getpid():
                continue
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                if b"prefect.server" not in cmdline.read():
                    continue
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, ValueError):
            continue
    return total


if __name__ == "__main__":
    main()
