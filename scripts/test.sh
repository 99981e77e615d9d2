#!/usr/bin/env bash
# Quick start, part 2: set up (with test extras), then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PREFECT_SERVER_ANALYTICS_ENABLED=false OMP_THREAD_LIMIT=1
exec .venv/bin/python -m pytest "$@"
