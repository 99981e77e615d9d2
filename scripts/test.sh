#!/usr/bin/env bash
# Quick start, part 2: set up (with test extras), then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PREFECT_SERVER_ANALYTICS_ENABLED=false OMP_THREAD_LIMIT=1
# Two workers: much of the suite waits on subprocesses, servers and tesseract, so both cores stay busy.
exec .venv/bin/python -m pytest -n "${ONBOARD_TEST_WORKERS:-2}" --durations=15 "$@"
