#!/usr/bin/env bash
# Idempotent set-up on a Debian machine (root): system packages, then .venv with the project.
# Fast when everything is already there, so the demo and test commands can always call it.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng fonts-noto-cjk)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(chromium)
fi
python=${PYTHON:-python3}
"$python" -c 'import ensurepip' 2>/dev/null || packages+=(python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# rapidocr is the default OCR engine (ONBOARD_OCR_ENGINE, see BENCHMARKS.md); its models ship in the wheel.
extras="[rapidocr]"
[[ "${1:-}" == "--test" ]] && extras="[rapidocr,test]"
stamp=".venv/.installed-${extras//[^a-z]/-}"
want="$(sha256sum pyproject.toml | cut -c1-64)"
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "setup: installing the project into .venv" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}" >&2
  echo "$want" > "$stamp"
fi
