#!/usr/bin/env python
"""`onboard serve` vs one-shot, alone (issue 16, item 6; bench/run_all.py runs the same stage as figure 7):
throughput of the raw OCR pool, `onboard batch --wait` one-shot and `onboard batch --wait` handed to a running
`onboard serve`, side by side on the same applications; latency of one application through the serve (the
part that is not OCR); the serve's CPU and RSS at rest. See bench/engine_overhead/serve_bench.py.

    nice -n 10 .venv/bin/python bench/serve_vs_one_shot.py --count 40 --latency-count 10 --output BENCHMARKS.md

Without --output it only prints the section; with it, the section between its markers is replaced.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from dataclasses import asdict
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.engine_overhead.machine import LoadWatcher, machine_facts  # noqa: E402
from bench.engine_overhead.markdown import replace_section  # noqa: E402
from bench.engine_overhead.samples import build_sample_set, manifest_path  # noqa: E402
from bench.engine_overhead.rebuild import rebuild  # noqa: E402
from bench.engine_overhead.serve_bench import ServeFigure, measure_serve  # noqa: E402
from bench.engine_overhead.serve_report import MARKERS, render_serve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=8, help="applications in the batch (the issue asks for 40)")
    parser.add_argument("--latency-count", type=int, default=10, help="applications submitted one at a time")
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--output", type=Path, help="markdown file whose serve-vs-one-shot section is replaced")
    parser.add_argument("--json", type=Path, help="also write every measurement as JSON here")
    parser.add_argument("--scratch", type=Path, help="keep work files here (default: a temporary directory)")
    parser.add_argument("--from-json", type=Path, help="measure nothing: re-render the section from a --json file")
    args = parser.parse_args()
    command = "bench/serve_vs_one_shot.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        figure = rebuild(ServeFigure, saved["figure"])
        _write(args, render_serve(figure, saved["facts"], saved["load"]))
        return
    facts = machine_facts(command)  # at the start: the date and the code measured
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as temporary:
        scratch = args.scratch or Path(temporary)
        samples_dir = scratch / "samples"
        samples = build_sample_set(samples_dir, args.count, date.today())
        manifest_path(samples_dir).rename(scratch / "manifest.json")  # the batch folder holds applications only
        with LoadWatcher() as load:
            figure = measure_serve(samples, samples_dir, scratch / "serve", args.latency_count, args.idle_seconds)
    if args.json:
        saved = {"facts": facts, "load": load.summary(), "figure": asdict(figure)}
        args.json.write_text(json.dumps(saved, default=str, indent=1), encoding="utf-8")
    _write(args, render_serve(figure, facts, load.summary()))


def _write(args: argparse.Namespace, markdown: str) -> None:
    if args.output:
        replace_section(args.output, markdown, MARKERS)
    print(markdown)


if __name__ == "__main__":
    main()
