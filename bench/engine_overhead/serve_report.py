"""The "onboard serve vs one-shot" section of BENCHMARKS.md (figure 7; issue 16, item 6), between its own markers,
written by bench/run_all.py and by bench/serve_vs_one_shot.py."""
from __future__ import annotations

import math

from bench.engine_overhead.markdown import fmt, table
from bench.engine_overhead.serve_bench import ServeFigure
from bench.engine_overhead.stats import per_minute, percentile, ratio

TITLE = "## `onboard serve` vs one-shot (issue 16, item 6)"
MARKERS = ("<!-- serve-vs-one-shot:results:start (written by bench/run_all.py or bench/serve_vs_one_shot.py; "
           "edit the scripts, not this) -->", "<!-- serve-vs-one-shot:results:end -->")


def _target(value: float, bound: float, above: bool) -> str:
    met = value >= bound if above else value < bound
    return f"{'≥' if above else '<'} {bound:g}: {'met' if met else 'missed'}"


def render_serve(f: ServeFigure | None, facts: dict[str, str], load: str, error: str = "") -> str:
    lines = [TITLE, "", table(["", ""], [[k, f"`{v}`" if k == "command" else v] for k, v in facts.items()]), ""]
    if f is None:
        return "\n".join(lines + [f"_Not measured: {error or 'the stage failed'}_"])
    raw_wall, one_wall, handed_wall = f.raw.wall_s, f.one_shot.process.wall_s, f.handed.wall_s
    rows = [
        ["raw OCR pool (all cores, nothing else)", fmt(raw_wall, 1), fmt(per_minute(f.applications, raw_wall), 1),
         fmt(f.ocr_documents / raw_wall), "1.00", "—"],
        ["`onboard batch DIR --wait`, one-shot (own Prefect API and OCR pool; Prefect database migrated)",
         fmt(one_wall, 1), fmt(per_minute(f.applications, one_wall), 1), fmt(f.ocr_documents / one_wall),
         fmt(ratio(raw_wall, one_wall)), _target(ratio(raw_wall, one_wall), 0.90, above=True)],
        ["`onboard batch DIR --wait` handed to a running `onboard serve` (started before the clock, warm)",
         fmt(handed_wall, 1), fmt(per_minute(f.applications, handed_wall), 1), fmt(f.ocr_documents / handed_wall),
         fmt(ratio(raw_wall, handed_wall)), _target(ratio(raw_wall, handed_wall), 0.95, above=True)],
    ]
    lat = f.latency
    measures = [("`onboard submit … --wait` command, process start → exit", "command_wall_s"),
                ("submit → decision (`applications.created_at` → `decisions.decided_at`)", "submit_to_decision_s"),
                ("OCR wall recorded for its documents (first reading's start → last reading's end)", "ocr_wall_s"),
                ("OCR seconds recorded, summed over its documents", "ocr_s"),
                ("**not OCR: submit → decision − OCR wall**", "not_ocr_s")]
    latency_rows = [[label, fmt(percentile([a[key] for a in lat], .5)), fmt(percentile([a[key] for a in lat], .95)),
                     len(lat)] for label, key in measures]
    not_ocr_p50 = percentile([a["not_ocr_s"] for a in lat], .5)
    states = sorted({a["state"] for a in lat})
    return "\n".join(lines + [
        f"Reproduce: `nice -n 10 .venv/bin/python {facts.get('command', 'bench/serve_vs_one_shot.py')}` (alone), or "
        "`bench/run_all.py --size full` (figure 7, on the suite's 40 applications).", "",
        f"Load average (1 min; median, min, max) during this figure: {load}; {fmt(f.load_at_end, 1)} at its end. "
        "The machine is shared with other engineers' test runs: compare the ratios, measured side by side.", "",
        f"### Throughput: the same {f.applications} applications ({f.ocr_documents} OCR-able documents), "
        "three paths in one run", "",
        "Order: raw pool → one-shot → serve started (endpoints up, runner imports) → the latency applications → "
        "handed-over batch → idle. Each engine path on a fresh ONBOARD_HOME (empty database, cold OCR cache).", "",
        table(["path", "wall s", "apps/min", "docs/s", "x raw", "target (issue 16)"], rows), "",
        f"- CPU of the command itself: handed over {fmt(f.handed.cpu_s, 1)} s; one-shot, with its Prefect API and "
        f"OCR workers, {fmt(sum(f.one_shot.process.cpu_by_role.values()), 1)} s (of which OCR workers "
        f"{fmt(f.one_shot.process.cpu_by_role.get('ocr_workers', float('nan')), 1)} s; raw pool "
        f"{fmt(f.raw.cpu_s, 1)} s).",
        *([f"- CPU of the serve's process tree (runner, its OCR workers, Prefect's server, portal, back office) "
           f"while the handed batch ran: {fmt(f.serve_cpu_during_batch_s, 1)} s."]
          if not math.isnan(f.serve_cpu_during_batch_s) else []),
        f"- decisions: one-shot {_states(f.one_shot.states)}; handed over {_states(f.handed_states)}.",
        f"- serve's endpoints up {fmt(f.serve_ready_s, 1)} s after start ({'; '.join(f.endpoints)}).", "",
        f"### Latency of one application through a running serve ({len(lat)} application"
        f"{'' if len(lat) == 1 else 's'}, one at a time, "
        "not in the batch)", "",
        table(["measure", "p50 s", "p95 s", "n"], latency_rows), "",
        f"- target (issue 16): not-OCR p50 < 0.5 s: {'met' if not_ocr_p50 < 0.5 else 'missed'} "
        f"({fmt(not_ocr_p50)} s). Decisions: {', '.join(states)}.",
        "- not OCR here: intake already done (created_at is after the gate and storage); the command's queue "
        "file and its doorbell, the runner's settle (≥ 0.05 s), the flow run's creation and states in Prefect, "
        "extraction, checks, the decision row. The command's own start (imports) is in the first row only.", "",
        "### Serve at rest", "",
        table(["measure", "value", "target (issue 16)"], [
            [f"CPU over {fmt(f.idle_s, 0)} s with nothing to do, whole process tree, % of one core",
             fmt(f.idle_cpu_percent), _target(f.idle_cpu_percent, 2, above=False)],
            [f"RSS at rest, {f.idle_processes} processes (supervisor, Prefect server, portal, back office, runner "
             "with its OCR workers warm)", f"{fmt(f.idle_rss_mb, 0)} MiB", "—"]]),
    ])


def _states(states: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(states.items())) or "none"
