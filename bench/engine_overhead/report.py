"""Turns the measured figures into the markdown section of BENCHMARKS.md (medians and ratios side by side)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from bench.engine_overhead.batch_runs import BatchRun
from bench.engine_overhead.latency import LatencyFigure
from bench.engine_overhead.markdown import fmt, table
from bench.engine_overhead.memory_bench import DemoRun
from bench.engine_overhead.portal_bench import PortalFigure
from bench.engine_overhead.portal_worker import BENCH_LIMITS
from bench.engine_overhead.rerun_bench import RerunFigure
from bench.engine_overhead.serve_bench import ServeFigure
from bench.engine_overhead.stats import median, per_minute, percentile, ratio
from bench.engine_overhead.sweep_bench import SweepFigure
from bench.engine_overhead.throughput import ThroughputRuns

ROLES = (("main", "`onboard` process (our code, Prefect client)"), ("prefect_server", "Prefect's API server"),
         ("ocr_workers", "OCR worker processes with their OCR engine runs"))


@dataclass
class SuiteResults:
    size: str
    machine: dict[str, str]
    throughput: ThroughputRuns | None
    latency: LatencyFigure | None
    rerun: RerunFigure | None
    sweep: SweepFigure | None
    portal: PortalFigure | None
    demo: DemoRun | None
    loads: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)  # stage -> why it produced nothing
    serve: ServeFigure | None = None  # figure 7, rendered into its own section (serve_report.py)


def _pairs(t: ThroughputRuns) -> list[tuple[float, BatchRun]]:
    """Each engine run with the raw run just before it (the schedule alternates them)."""
    pairs, raw_index, engine_index = [], -1, 0
    for kind in t.order:
        if kind == "raw":
            raw_index += 1
        elif kind == "engine" and engine_index < len(t.engine):
            if 0 <= raw_index < len(t.raw):
                pairs.append((t.raw[raw_index].wall_s, t.engine[engine_index]))
            engine_index += 1
    return pairs


def figure_throughput(r: SuiteResults) -> str:
    t = r.throughput
    raw_rate = median([per_minute(x.applications, x.wall_s) for x in t.raw])
    raw_cpu = median([x.cpu_s / x.applications for x in t.raw])
    rows = [["raw OCR pool (all cores, nothing else)", len(t.raw), fmt(median([x.wall_s for x in t.raw]), 1), "—",
             "—", fmt(raw_rate, 1), "1.00", "—", fmt(raw_cpu)]]
    for label, runs in (("`onboard batch DIR --wait`, Prefect database migrated (every run after the first)",
                         t.engine),
                        ("the same on a new Prefect database (a machine's first run)", t.engine_new_database)):
        if not runs:
            continue
        wall, startup = median([x.process.wall_s for x in runs]), median([x.startup_s for x in runs])
        rate = median([per_minute(x.applications, x.process.wall_s) for x in runs])
        steady = median([per_minute(x.applications, x.flow_s) for x in runs])
        cpu = median([sum(x.process.cpu_by_role.values()) / x.applications for x in runs])
        rows.append([label, len(runs), fmt(wall, 1), fmt(startup, 1), fmt(median([x.flow_s for x in runs]), 1),
                     fmt(rate, 1), fmt(ratio(rate, raw_rate)), fmt(ratio(steady, raw_rate)), fmt(cpu)])
    pairs = [f"{fmt(ratio(raw_wall, run.process.wall_s))} end to end, {fmt(ratio(raw_wall, run.flow_s))} for the "
             f"flow run" for raw_wall, run in _pairs(t)]
    pair_ratios = [ratio(raw_wall, run.process.wall_s) for raw_wall, run in _pairs(t)]
    states = t.engine[0].states if t.engine else {}
    return "\n".join([
        f"### 1. Throughput: engine vs raw OCR ({t.applications} applications, {t.ocr_documents} OCR-able documents)",
        "",
        f"Run order: {' → '.join(t.order)}. Raw: the configured engine's `read` on every OCR-able document in a "
        "`multiprocessing.Pool` over all cores. Engine: `onboard batch DIR --wait --json` as a process on the "
        "embedded default, fresh ONBOARD_HOME each run (empty database, cold OCR cache): imports, every file "
        "through the intake gate and stored, Prefect's API server started as a child process (meanwhile), one "
        "`onboard-batch` "
        "flow run (OCR on one worker process per core, extraction, checks, decisions, messages, artifacts).",
        "",
        table(["path", "runs", "wall s", "start-up + exit s", "flow run s", "apps/min", "ratio vs raw",
               "ratio, flow run only", "CPU s per app, all processes"], rows),
        "",
        f"- each engine run against the raw run just before it: {'; '.join(pairs) or 'n/a'}"
        + (f" (median pair, end to end: {fmt(median(pair_ratios))})" if pair_ratios else ""),
        f"- decisions (first engine run): {', '.join(f'{k} {v}' for k, v in sorted(states.items()))}",
        *(f"- **failed run** (not in the table): {failure}" for failure in t.failures),
        f"- load average (1 min) during this figure: {r.loads.get('throughput', 'n/a')}",
    ])


def figure_profile(r: SuiteResults) -> str:
    """Where the gap between the two throughputs goes: CPU by process, and wall time by stage."""
    t = r.throughput
    runs = t.engine or t.engine_new_database
    raw_cpu = median([x.cpu_s / x.applications for x in t.raw])
    ocr = median([x.process.cpu_by_role.get("ocr_workers", 0.0) / x.applications for x in runs])
    rows = [["raw pool: workers and their OCR engine runs", fmt(raw_cpu, 3), "1.00"]]
    for role, label in ROLES:
        value = median([x.process.cpu_by_role.get(role, 0.0) / x.applications for x in runs])
        rows.append([f"engine: {label}", fmt(value, 3), fmt(ratio(value, raw_cpu))])
    others = median([sum(v for k, v in x.process.cpu_by_role.items() if k != "ocr_workers") / x.applications
                     for x in runs])
    engine_cpu = median([sum(x.process.cpu_by_role.values()) / x.applications for x in runs])
    stages = [[name, fmt(median([x.seconds.get(key, float("nan")) for x in runs]), 2)] for name, key in (
        ("files checked and stored (since the command's imports)", "stored"),
        ("Prefect's API server ready (started at the same time)", "orchestrator_ready"),
        ("every application decided and notified", "onboarded"))]
    stages.append(["process wall (imports and exit included)", fmt(median([x.process.wall_s for x in runs]), 2)])
    new_db = [x.seconds["orchestrator_ready"] for x in t.engine_new_database]
    return "\n".join([
        "### Profile: where the engine's time goes", "",
        "CPU seconds per application by process (sampled from `/proc` every 0.25 s over the process tree of "
        "`onboard batch`; a process's figure includes the children it reaped):", "",
        table(["process", "CPU s per application", "vs raw OCR"], rows), "",
        f"- everything that is not OCR: {fmt(others, 3)} CPU s per application, "
        f"{fmt(100 * ratio(others, ocr), 1)} % of the engine's own OCR CPU; the OCR workers themselves use "
        f"{fmt(100 * (ratio(ocr, raw_cpu) - 1), 1)} % more CPU than the raw pool for the same documents.",
        f"- what bounds the ratio: both paths keep every core busy, so throughput goes as 1 / CPU per "
        f"application, and {fmt(raw_cpu)} / {fmt(engine_cpu)} = {fmt(ratio(raw_cpu, engine_cpu))} is the most "
        f"the engine can reach on this machine until its non-OCR CPU shrinks; the rest of the gap is start-up "
        f"and exit, when not every core is busy (stages below).",
        "", "Wall time of one engine run by stage (seconds since the command started; medians):", "",
        table(["stage", "s"], stages),
        *([f"- on a new Prefect database the API is ready after {fmt(median(new_db), 1)} s (migrations)"]
          if new_db else []),
    ])


def figure_latency(r: SuiteResults) -> str:
    f = r.latency
    walls = [a["wall_s"] for a in f.applications]
    ocr_sum = [a["ocr_s"] for a in f.applications]
    bound = [f.critical_path_s(a) for a in f.applications]
    not_ocr = [w - b for w, b in zip(walls, bound)]
    cores = os.cpu_count() or 1
    rows = [
        ["wall, submit → decision (intake gate, storage, flow run)", fmt(percentile(walls, .5)),
         fmt(percentile(walls, .95)), len(walls)],
        ["OCR seconds recorded, summed over the application's documents", fmt(percentile(ocr_sum, .5)),
         fmt(percentile(ocr_sum, .95)), len(ocr_sum)],
        [f"OCR critical path (longest document, or the sum over min({cores} cores, documents))",
         fmt(percentile(bound, .5)), fmt(percentile(bound, .95)), len(bound)],
        ["not OCR: wall − OCR critical path", fmt(percentile(not_ocr, .5)), fmt(percentile(not_ocr, .95)),
         len(not_ocr)],
    ]
    return "\n".join([
        "### 2. Latency of one application (`onboard-application` flow in a warm process, one at a time)", "",
        f"Prefect's API server was started once before ({fmt(f.prefect_start_s, 1)} s); each application is "
        "submitted (intake gate, storage) and onboarded, the next one after it is decided.", "",
        table(["measure", "p50 s", "p95 s", "n"], rows), "",
        f"- not-OCR share of the median application: {fmt(100 * ratio(median(not_ocr), median(walls)), 0)} %",
    ])


def figure_rerun(r: SuiteResults) -> str:
    f = r.rerun
    walls = [p.wall_s for p in f.shortcut]
    rows = [["`onboard rerun APP --json` (process start included; median of "
             f"{len(walls)}, max {fmt(max(walls))})", fmt(median(walls)),
             "< 1 s: " + ("met" if median(walls) < 1 else "missed"),
             "no" if not any(f.shortcut_ran_flow) else "yes"],
            ["`onboard rerun APP --from check --json` (forces the flow; Prefect's API start included)",
             fmt(f.forced.wall_s), "—", "yes"]]
    return "\n".join([
        f"### 3. Rerun of a finished application ({f.application_id}, {f.state})", "",
        table(["how", "wall s", "target", "flow run started"], rows), "",
        f"- OCR calls over all these reruns: {f.ocr_calls} (every read goes through "
        "`onboarding.service.reading.ocr_submit`, counted in the measured process); `ocr_readings` rows added: "
        f"{f.ocr_readings_added}.",
        "- A finished application (settled, or decided on exactly these inputs, nothing unsent) is answered "
        "from our database; anything left to do starts the flow, which reuses every finished step.",
    ])


def figure_sweep(r: SuiteResults) -> str:
    s = r.sweep
    seed = s.seed
    mix = ", ".join(f"{k} {v:,}" for k, v in seed["request_counts"].items())
    lines = [f"### 4. Sweep over {s.applications:,} applications/terminals (SQLite)", "",
             f"Data (inserted set-based in {fmt(seed['seed_s'], 1)} s): {sum(seed['request_counts'].values()):,} "
             f"applications with open requests ({mix}); {seed['terminals']:,} shipped terminals with held deposits "
             f"and {seed['transactions']:,} transactions (ledger_bench generators); as_of {seed['as_of']}.", ""]
    if s.finished:
        result = s.result
        parts = result["parts_s"]
        rows = [["`run_sweep(services, as_of)`", fmt(result["sweep_s"], 1), "< 10 s: " +
                 ("met" if result["sweep_s"] < 10 else "missed")],
                *[[f"  of which `{name}`", fmt(value, 1), ""] for name, value in parts.items()]]
        lines += [table(["step", "seconds", "target"], rows), "", f"Outcome: `{result['report']}`"]
    else:
        done = s.progress["reminders"] + s.progress["expired"]
        rate = done / s.elapsed_in_sweep_s if s.elapsed_in_sweep_s else float("nan")
        projected_requests = ratio(s.due_requests, rate)
        projected = projected_requests + s.parts["sweep_ledger_s"] + s.parts["deliver_pending_s"]
        rows = [["`run_sweep(services, as_of)`", f"killed at the {fmt(s.timeout_s, 0)} s limit",
                 f"projected {fmt(projected, 0)} s — target < 10 s missed"],
                ["  `sweep_requests` (runs first)", f"{done:,} of {s.due_requests:,} due requests done in "
                 f"{fmt(s.elapsed_in_sweep_s, 0)} s ({fmt(1000 / rate if rate else float('nan'), 1)} ms each)",
                 f"projected {fmt(projected_requests, 0)} s"],
                ["  `sweep_ledger` (timed alone on a copy)", fmt(s.parts["sweep_ledger_s"], 1), ""],
                ["  `deliver_pending` (timed alone on a copy, ≤ 500 messages)", fmt(s.parts["deliver_pending_s"], 1), ""]]
        lines += [table(["step", "measured", "note"], rows), "", f"Ledger outcome: `{s.parts['ledger']}`"]
    return "\n".join(lines)


def figure_portal(r: SuiteResults) -> str:
    p = r.portal
    limits = ", ".join(f"{name} {value[0]:,}/{value[1]} s" for name, value in BENCH_LIMITS.items())
    rows = [[p.merchants, f"{p.upload_bytes / 1e6:.2f} MB", fmt(percentile(p.latencies_s, .5)),
             fmt(percentile(p.latencies_s, .99)), fmt(max(p.latencies_s, default=float("nan"))), fmt(p.wall_s),
             p.error_count, ", ".join(f"{k}×{v}" for k, v in sorted(p.statuses.items()))]]
    return "\n".join([
        "### 5. Portal under load (real uvicorn on 127.0.0.1, all merchants at once)", "",
        table(["merchants", "JPEG", "p50 s", "p99 s", "max s", "all done s", "errors", "statuses"], rows), "",
        f"- `launch` is a no-op: the checks (OCR) are not started, so only the upload path is timed.",
        f"- rate limits raised for the benchmark via `create_app(..., limits=...)`: {limits}.",
        "- client: one httpx.AsyncClient, one connection per merchant, in a separate process from the server.",
    ])


def figure_memory(r: SuiteResults) -> str:
    rows = [[f"`onboard demo --count {r.demo.count}` ({r.demo.as_planted} of {r.demo.count} as planted)",
             fmt(r.demo.process.peak_rss_mb, 0), fmt(r.demo.process.tree_peak_rss_mb, 0), fmt(r.demo.process.wall_s, 1)]]
    for run in (r.throughput.engine[:1] if r.throughput else []):
        rows.append([f"`onboard batch` of {run.applications} applications (figure 1)", fmt(run.process.peak_rss_mb, 0),
                     fmt(run.process.tree_peak_rss_mb, 0), fmt(run.process.wall_s, 1)])
    return "\n".join([
        "### 6. Memory (peak RSS)", "",
        table(["process", "own peak MB (wait4 ru_maxrss)", "tree peak MB (+ Prefect API server, OCR workers)",
               "wall s"], rows),
    ])


NOT_MEASURED = "_Not measured"
FIGURES = (  # title, renderer, the data it needs, the stage that makes that data
    ("### 1. Throughput: engine vs raw OCR", figure_throughput, "throughput", "throughput"),
    ("### 2. Latency of one application", figure_latency, "latency", "latency"),
    ("### 3. Rerun of a finished application", figure_rerun, "rerun", "rerun"),
    ("### 4. Sweep over", figure_sweep, "sweep", "sweep"),
    ("### 5. Portal under load", figure_portal, "portal", "portal"),
    ("### 6. Memory (peak RSS)", figure_memory, "demo", "demo"),
    ("### Profile: where the engine's time goes", figure_profile, "throughput", "throughput"),
)


def guarded(r: SuiteResults, title: str, renderer, needs: str, stage: str) -> str:
    """A figure whose data is missing or cannot be rendered says so under its title instead of vanishing."""
    if getattr(r, needs) is None:
        return f"{title}\n\n{NOT_MEASURED}: {r.errors.get(stage) or 'a stage it depends on failed'}_"
    try:
        return renderer(r)
    except Exception as error:  # noqa: BLE001 - the report must still be written
        return f"{title}\n\n{NOT_MEASURED} (rendering failed): {type(error).__name__}: {error}_"


def render(r: SuiteResults) -> str:
    machine = r.machine
    facts = table(["", ""], [[k, f"`{v}`" if k == "command" else v] for k, v in machine.items()])
    loads = ", ".join(f"{k} {v}" for k, v in r.loads.items())
    retried = [f"{stage} ({error})" for stage, error in r.errors.items() if stage in r.seconds]
    return "\n\n".join([
        f"## Engine overhead on top of OCR (`bench/run_all.py --size {r.size}`)",
        facts,
        f"Load average (1 min; median, min, max) while each figure ran: {loads}. The machine is shared with "
        "other agents' test runs, so absolute numbers are noisy; compare the ratios measured side by side.",
        f"Wall time of the whole suite: {fmt(r.wall_s / 60, 1)} min (stages: "
        f"{', '.join(f'{k} {fmt(v, 0)} s' for k, v in r.seconds.items())}"
        f"{'; tiny runs independent figures at the same time' if r.size == 'tiny' else ''})."
        + (f" Retried after a failure: {'; '.join(retried)}." if retried else ""),
        *(guarded(r, *figure) for figure in FIGURES),
    ])
