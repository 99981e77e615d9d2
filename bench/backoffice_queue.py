"""Back office queue bench: the queue page's response time with N applications in the database.

    .venv/bin/python bench/backoffice_queue.py                    # 10,000 applications, 300 requests
    .venv/bin/python bench/backoffice_queue.py --applications 500 --requests 60   # quick

Fills a fresh SQLite installation in bulk (applications in every state, decisions, open rounds, assignments,
the search index, some possible duplicates), serves the real back office with uvicorn on 127.0.0.1, logs in,
and times the queue page (HTML, as a browser asks for it) and its JSON twin under a mix of filters: the
default view, a state, a search by phone (keyed-hash index), business-name search, mine, possible
duplicates, sorted by merchant, page 20. Prints p50/p95/max per variant and overall, and `--markdown` the
BENCHMARKS.md section.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime.now(timezone.utc)
STATES = (["manual_review"] * 15 + ["needs_documents"] * 25 + ["approved"] * 20 + ["shipped"] * 10
          + ["active"] * 15 + ["rejected"] * 5 + ["expired"] * 5 + ["withdrawn"] * 3 + ["checking"] * 2)
PASSWORD = "bench-password-123"


def seed(services, count: int) -> str:
    """Inserts `count` applications set-based; returns a phone number the search can look for."""
    from sqlalchemy import insert

    from onboarding.adapters.backoffice_tables import case_assignments, duplicate_matches, search_index
    from onboarding.adapters.orm import applications, decisions, supplementary_requests
    from onboarding.domain.search import IndexKind, digest
    from onboarding.service.staff import add_staff

    add_staff(services, "rita", "reviewer", PASSWORD, actor="bench")
    rng = random.Random(7)
    rows, decided, rounds, index, assigned, pairs = [], [], [], [], [], []
    key = services.index_key
    for n in range(count):
        app_id = f"APP-B{n:07d}"
        state = rng.choice(STATES)
        created = NOW - timedelta(hours=rng.uniform(0.2, 24 * 60))
        changed = created + (NOW - created) * rng.random()
        phone, id_number, card = f"139{n:08d}", f"110105194912{n % 10000:04d}{n % 10}X"[:18], f"6222{n:015d}"
        rows.append({"id": app_id, "merchant_type": rng.choice(["small_micro", "sole_trader", "enterprise"]),
                     "legal_name": "王昌良", "id_number": id_number, "phone": phone, "email": None,
                     "business_name": f"商户{n:05d}号小吃店", "business_address": "广东省江门市台山市北陡镇沙咀村12号",
                     "settlement_holder_name": "王昌良", "settlement_number": card, "settlement_bank": "工商银行",
                     "device_model": "P2", "state": state, "state_changed_at": changed, "created_at": created,
                     "version": 1, "waivers": [], "submission_key": None})
        if state not in ("checking",):
            codes = {"needs_documents": ["name_mismatch"], "manual_review": ["ocr_low_confidence"]}.get(state, [])
            decided.append({"application_id": app_id, "outcome": "rejected" if state == "rejected" else
                            state if state in ("needs_documents", "manual_review") else "approved",
                            "deficiencies": [{"code": c, "document_type": "id_card_front"} for c in codes],
                            "warnings": [], "rules_version": "bench", "ocr_engine": "bench", "fingerprint": "bench",
                            "decided_at": changed, "decided_by": "engine"})
        if state == "needs_documents":
            rounds.append({"application_id": app_id, "round_number": 1, "status": "open", "created_at": changed,
                           "due_at": changed + timedelta(days=10), "closed_at": None, "items": [],
                           "reminders_sent": [], "next_reminder_at": changed + timedelta(hours=24)})
        for kind, value in ((IndexKind.PHONE, phone), (IndexKind.ID_NUMBER, id_number), (IndexKind.CARD_NUMBER, card)):
            hashed = digest(key, kind, value)
            if hashed:
                index.append({"application_id": app_id, "kind": str(kind), "digest": hashed})
        if n % 7 == 0:
            assigned.append({"application_id": app_id, "assignee": "rita", "assigned_at": changed, "assigned_by": "bench"})
        if n % 97 == 1:
            pairs.append({"application_id": f"APP-B{n - 1:07d}", "other_id": app_id, "matched_on": ["phone"],
                          "found_at": changed})
    with services.uow() as uow:
        for table, values in ((applications, rows), (decisions, decided), (supplementary_requests, rounds),
                              (search_index, index), (case_assignments, assigned), (duplicate_matches, pairs)):
            for start in range(0, len(values), 2000):
                uow.session.execute(insert(table), values[start:start + 2000])
        uow.commit()
    return rows[count // 2]["phone"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def run(count: int, requests: int) -> dict:
    import httpx

    home = tempfile.mkdtemp(prefix="onboard-bench-bo-")
    os.environ["ONBOARD_HOME"] = home
    os.environ.pop("ONBOARD_DATABASE_URL", None)
    from onboarding.backoffice.app import create_backoffice_app
    from onboarding.bootstrap import get_services
    from onboarding.portal.server import serve_in_background

    services = get_services()
    started = time.perf_counter()
    phone = seed(services, count)
    seeded = time.perf_counter() - started
    print(f"[bench] {count} applications stored in {seeded:.1f} s", file=sys.stderr, flush=True)
    variants = {
        "default view (open, longest waiting first)": "/",
        "state=needs_documents": "/?state=needs_documents",
        "search by phone (keyed-hash index)": f"/?state=all&q={phone}",
        "search business name": "/?state=all&q=00123",
        "mine": "/?assignee=me",
        "possible duplicates": "/?state=all&duplicates=1",
        "all, sorted by merchant, page 20": "/?state=all&sort=merchant&dir=asc&page=20",
        "JSON API, default": "/api/applications?state=open",
        "floor: /healthz (no database, same server and load)": "/healthz",
    }
    timings: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    with serve_in_background(create_backoffice_app(services, launch=lambda *_: None)) as base_url:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            assert client.post("/api/login", json={"username": "rita", "password": PASSWORD}).status_code == 200
            for path in variants.values():  # warm: templates compiled, pages of SQLite cached
                assert client.get(path).status_code == 200, path
            names = list(variants)
            for i in range(requests):
                name = names[i % len(names)]
                begun, begun_cpu = time.perf_counter(), time.process_time()
                answer = client.get(variants[name])
                timings[name].append((time.perf_counter() - begun) * 1000)
                cpu[name].append((time.process_time() - begun_cpu) * 1000)
                assert answer.status_code == 200, (name, answer.status_code)
    every = [t for name, values in timings.items() if not name.startswith("floor") for t in values]
    return {"applications": count, "requests": requests, "seed_seconds": round(seeded, 1),
            "load": os.getloadavg()[0],
            "variants": {name: {"p50": statistics.median(v), "p95": percentile(v, 0.95), "max": max(v),
                                "cpu": statistics.median(cpu[name])} for name, v in timings.items()},
            "overall": {"p50": statistics.median(every), "p95": percentile(every, 0.95), "max": max(every),
                        "cpu": statistics.median([c for name, v in cpu.items() if not name.startswith("floor")
                                                  for c in v])}}


def markdown(result: dict) -> str:
    lines = [f"Command: `.venv/bin/python bench/backoffice_queue.py` ({result['applications']:,} applications on "
             f"SQLite, {result['requests']} requests after a warm-up, one client, real uvicorn on 127.0.0.1; "
             f"load average {result['load']:.1f} on the shared 2-core machine).", "",
             "| queue page | p50 (ms) | p95 (ms) | max (ms) | CPU per request (ms, median) |",
             "|---|---|---|---|---|"]
    for name, v in result["variants"].items():
        lines.append(f"| {name} | {v['p50']:.0f} | {v['p95']:.0f} | {v['max']:.0f} | {v['cpu']:.1f} |")
    o = result["overall"]
    lines.append(f"| **all queue requests** | **{o['p50']:.0f}** | **{o['p95']:.0f}** | {o['max']:.0f} | "
                 f"{o['cpu']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=320)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    result = run(args.applications, args.requests)
    print(markdown(result) if args.markdown else result)


if __name__ == "__main__":
    main()
