#!/usr/bin/env bash
# Quick start, part 1: set up, then run the main job on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/onboard demo "$@"
