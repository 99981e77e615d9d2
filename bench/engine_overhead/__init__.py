"""Benchmarks for "the engine must cost almost nothing on top of OCR": run by `bench/run_all.py`.

Each module measures one figure; heavy work runs in subprocesses (`*_worker.py`) with a fresh ONBOARD_HOME,
so each engine run starts cold (empty OCR cache, new ephemeral Prefect) exactly as a user's first run does.
"""
