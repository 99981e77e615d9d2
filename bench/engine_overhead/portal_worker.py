"""Subprocess for figure 5: a real uvicorn serving the upload portal on 127.0.0.1, with M merchants whose
upload links are valid (applications in needs_documents, asked for a new ID card back).

    python -m bench.engine_overhead.portal_worker --home H --merchants 50 --ready READY.json --stop STOP

`launch` is a no-op, so no OCR runs after an upload: the figure is the upload path alone. The rate limits are
raised (every merchant comes from 127.0.0.1): per IP 100,000/min, per token 10,000/min and uploads per token
10,000/10 min. Writes READY.json ({"url", "tokens"}) once serving; stops when the STOP file appears.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

BENCH_LIMITS = {"per_ip": (100_000, 60), "per_token": (10_000, 60), "uploads_per_token": (10_000, 600)}


def portal_limits():
    from onboarding.portal.ratelimit import PortalLimits, RateLimit

    return PortalLimits(**{name: RateLimit(*value) for name, value in BENCH_LIMITS.items()})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--merchants", type=int, required=True)
    parser.add_argument("--ready", type=Path, required=True)
    parser.add_argument("--stop", type=Path, required=True)
    args = parser.parse_args()

    from bench.engine_overhead.sweep_data import insert_request_applications
    from onboarding.bootstrap import get_services, reset_services
    from onboarding.domain.requests import new_upload_token
    from onboarding.portal.app import create_app
    from onboarding.portal.server import serve_in_background

    os.environ["ONBOARD_HOME"] = str(args.home)
    reset_services()
    services = get_services()
    tokens = [new_upload_token() for _ in range(args.merchants)]
    insert_request_applications(services, args.merchants, datetime.now(timezone.utc), kind="not_due",
                                token_hashes=[token_hash for _, token_hash in tokens])
    app = create_app(services, launch=lambda _application_id: None, limits=portal_limits())
    with serve_in_background(app) as url:
        partial = args.ready.with_suffix(".partial")
        partial.write_text(json.dumps({"url": url, "tokens": [token for token, _ in tokens]}), encoding="utf-8")
        partial.replace(args.ready)  # appears whole
        while not args.stop.exists():
            time.sleep(0.1)


if __name__ == "__main__":
    main()
