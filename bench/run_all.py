#!/usr/bin/env python
"""The engine-overhead benchmark suite: "the engine must cost almost nothing on top of OCR".

    .venv/bin/python bench/run_all.py --size tiny     # CI smoke (tests/bench/test_bench_smoke.py): every figure, small
    .venv/bin/python bench/run_all.py --size full     # the published numbers (~20-30 min on a 2-core machine)

Figures: 1 engine (`onboard batch`) vs raw OCR throughput, 2 latency of one application, 3 rerun of a finished
application, 4 sweep over 100,000 applications/terminals, 5 portal under 50 concurrent uploads, 6 peak memory,
and a profile of the gap (CPU by process, wall time by stage). Results go into this suite's marked section of BENCHMARKS.md (other sections are kept).
Figure 7, `onboard serve` vs one-shot (raw OCR, one-shot batch, batch handed to a serve, on the same applications;
latency through a serve; serve at rest), has its own marked section (bench/serve_vs_one_shot.py runs it alone).
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, is_dataclass
from datetime import date
from pathlib import Path
from typing import Callable, TypeVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.engine_overhead.machine import LoadWatcher, machine_facts  # noqa: E402
from bench.engine_overhead.markdown import replace_section  # noqa: E402
from bench.engine_overhead.sizes import SIZES, Size  # noqa: E402

Result = TypeVar("Result")


class Stages:
    """Times each stage, samples the load average while it runs, keeps its result on disk as soon as it has
    one, and turns a failure into a note in the report (one retry where asked) instead of losing the run."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.seconds: dict[str, float] = {}
        self.loads: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def run(self, name: str, work: Callable[[], Result], attempts: int = 1) -> Result | None:
        for attempt in range(1, attempts + 1):
            print(f"[run_all] {name} (attempt {attempt}) …", file=sys.stderr, flush=True)
            started = time.perf_counter()
            try:
                with LoadWatcher() as load:
                    result = work()
            except Exception as error:  # a figure that fails is reported as such; the others still run
                traceback.print_exc()
                last_line = str(error).strip().splitlines()[-1] if str(error).strip() else ""
                self.errors[name] = f"attempt {attempt}: {type(error).__name__}: {last_line}"[:400]
                continue
            self.seconds[name] = time.perf_counter() - started
            self.loads[name] = load.summary()
            print(f"[run_all] {name}: {self.seconds[name]:.0f} s, load {self.loads[name]}", file=sys.stderr,
                  flush=True)
            self._keep(name, result)
            return result
        return None

    def _keep(self, name: str, result: object) -> None:
        try:
            data = asdict(result) if is_dataclass(result) else [asdict(r) if is_dataclass(r) else r for r in result]
            (self.scratch / f"stage-{name}.json").write_text(json.dumps(data, default=str), encoding="utf-8")
        except (TypeError, OSError):
            pass


def run_suite(size: Size, scratch: Path, command: str):
    from bench.engine_overhead.latency import measure_latency
    from bench.engine_overhead.memory_bench import measure_demo
    from bench.engine_overhead.portal_bench import measure_portal
    from bench.engine_overhead.report import SuiteResults
    from bench.engine_overhead.rerun_bench import measure_rerun
    from bench.engine_overhead.samples import build_sample_set, manifest_path
    from bench.engine_overhead.serve_bench import measure_serve
    from bench.engine_overhead.sweep_bench import measure_sweep
    from bench.engine_overhead.throughput import measure_throughput

    stages = Stages(scratch)
    started = time.perf_counter()
    machine = machine_facts(command)
    samples_dir = scratch / "samples"
    samples = stages.run("samples", lambda: build_sample_set(samples_dir, size.applications, date.today()))
    if samples is None:
        raise SystemExit(f"could not build the sample applications: {stages.errors['samples']}")
    manifest = manifest_path(samples_dir)

    def throughput_and_rerun():
        runs = stages.run("throughput", lambda: measure_throughput(samples, samples_dir, scratch / "throughput",
                                                                   size))
        finished = next((run for run in (runs.engine if runs else [])), None)
        if finished is None:
            return runs, None
        home = finished.home
        return runs, stages.run("rerun", lambda: measure_rerun(home, scratch / "rerun", size.repeats))

    def latency():
        return stages.run("latency", lambda: measure_latency(manifest, scratch / "latency", size.latency_applications))

    def sweep_and_portal():
        sweep = stages.run("sweep", lambda: measure_sweep(scratch / "sweep", size))
        return sweep, stages.run("portal", lambda: measure_portal(scratch / "portal", size))

    def demo():
        return stages.run("demo", lambda: measure_demo(scratch / "demo", size.demo_count))

    def serve():
        # Alongside other figures' threads (tiny), a forked pool worker can inherit a held lock and hang.
        start_method = "forkserver" if size.concurrent_figures else None
        return stages.run("serve", lambda: measure_serve(samples, samples_dir, scratch / "serve",
                                                         size.serve_latency_applications, size.serve_idle_s,
                                                         start_method))

    if size.concurrent_figures:  # tiny: no timing is claimed, so independent figures share the machine
        with ThreadPoolExecutor(max_workers=5) as pool:
            futures = [pool.submit(throughput_and_rerun), pool.submit(latency), pool.submit(sweep_and_portal),
                       pool.submit(demo), pool.submit(serve)]
            (runs, rerun), latency_figure, (sweep, portal), demo_run, serve_figure = [f.result() for f in futures]
    else:
        runs, rerun = throughput_and_rerun()
        latency_figure = latency()
        sweep, portal = sweep_and_portal()
        demo_run = demo()
        serve_figure = serve()
    return SuiteResults(size=size.name, machine=machine, throughput=runs, latency=latency_figure, rerun=rerun,
                        sweep=sweep, portal=portal, demo=demo_run, loads=stages.loads, seconds=stages.seconds,
                        wall_s=time.perf_counter() - started, errors=stages.errors, serve=serve_figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--output", type=Path, default=REPO / "BENCHMARKS.md",
                        help="markdown file whose engine-overhead section is replaced")
    parser.add_argument("--json", type=Path, help="also write every measurement as JSON here")
    parser.add_argument("--scratch", type=Path, help="keep work files here (default: a temporary directory)")
    parser.add_argument("--from-json", type=Path, help="measure nothing: re-render the report from a --json file")
    args = parser.parse_args()
    command = "bench/run_all.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    size = SIZES[args.size]
    from bench.engine_overhead.report import render

    if args.from_json:
        from bench.engine_overhead.rebuild import rebuild
        from bench.engine_overhead.report import SuiteResults

        results = rebuild(SuiteResults, json.loads(args.from_json.read_text(encoding="utf-8")))
    elif args.scratch:
        args.scratch.mkdir(parents=True, exist_ok=True)
        results = run_suite(size, args.scratch, command)
    else:
        with tempfile.TemporaryDirectory(prefix="engine-overhead-") as scratch:
            results = run_suite(size, Path(scratch), command)
    markdown = render(results)
    replace_section(args.output, markdown)
    from bench.engine_overhead.serve_report import MARKERS, render_serve

    serve_markdown = render_serve(results.serve, results.machine, results.loads.get("serve", "n/a"),
                                  results.errors.get("serve", ""))
    replace_section(args.output, serve_markdown, MARKERS)
    markdown += "\n\n" + serve_markdown
    if args.json and not args.from_json:
        args.json.write_text(json.dumps(asdict(results), default=str, indent=1), encoding="utf-8")
    print(markdown)
    print(f"[run_all] wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
