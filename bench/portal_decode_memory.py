"""Peak memory of the merchant portal under concurrent hostile uploads (issue 18, item 3).

    nice -n 10 .venv/bin/python bench/portal_decode_memory.py [--uploads 50] [--unbounded]

A fresh installation gets `--uploads` applications waiting for an ID card back, each with its own link (the
per-link upload limit stays in force). `onboard portal` is started as its own process; then every link gets
one upload at the same moment, half of them a complete 140 KB PNG of 6000x6000 RGBA (~420 MB decoded),
half a 4000x4000 RGBA PNG cut short (its header passes; a decoder allocates 64 MB before it finds the cut).
Measured from /proc/<pid>/status: the portal's resident memory before, and its peak (VmHWM) after.

`--unbounded` runs the same with the limits of the first round: no per-type pixel limit below the global
40 MP and as many decodes at once as uploads. Keep `--uploads` small with it (each 6000x6000 upload then
costs ~250 MB): 6 is enough to see the difference.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _memory_mb(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def _seed(home: Path, count: int) -> list[str]:
    """`count` applications in needs_documents with one open item (id_card_back); their upload tokens."""
    from onboarding.bootstrap import Services
    from onboarding.domain.model import Application
    from onboarding.domain.states import ApplicationState as S
    from onboarding.service.requests import issue_link
    from onboarding.settings import Settings

    services = Services(Settings(home=home, blob_store="local"))
    services.uow()
    item = {"code": "document_expired", "document_type": "id_card_back", "field": "valid_until",
            "message_zh": "请上传新的身份证国徽面。", "message_en": "Please upload the new ID card back.",
            "staff_note": "bench"}
    tokens = []
    for _ in range(count):
        now = services.clock()
        application = Application(
            merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481", phone="13800138000",
            email=None, business_name="台山市昌良小吃店", business_address="广东省江门市台山市北陡镇沙咀村12号",
            settlement_holder_name="王昌良", settlement_number="6222021234567890123", settlement_bank="中国工商银行",
            device_model="P2", created_at=now - timedelta(hours=2))
        application.transition(S.CHECKING, actor="engine", reason="bench", at=now - timedelta(hours=1))
        application.transition(S.NEEDS_DOCUMENTS, actor="engine", reason="bench", at=now - timedelta(hours=1))
        request = application.request_documents([item], at=now - timedelta(hours=1), due_at=now + timedelta(days=9),
                                                actor="engine")
        url = issue_link(services, application, request, now - timedelta(hours=1))
        with services.uow() as uow:
            uow.applications.add(application)
            uow.commit()
        tokens.append(url.rsplit("/", 1)[-1])
    return tokens


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(uploads: int, unbounded: bool) -> dict:
    import httpx

    from tests.support.image_bytes import blank_png

    bodies = [blank_png(6000, 6000), blank_png(4000, 4000, truncate=True)]
    with tempfile.TemporaryDirectory(prefix="decode-bench-") as tmp:
        home = Path(tmp) / "home"
        tokens = _seed(home, uploads)
        port = _free_port()
        env = {**os.environ, "ONBOARD_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("ONBOARD_DATABASE_URL", None)
        if unbounded:
            env["ONBOARD_MAX_CONCURRENT_DECODES"] = str(uploads)
            env["ONBOARD_MAX_IMAGE_PIXELS_BY_TYPE"] = json.dumps({"id_card_back": 40_000_000})
        portal = subprocess.Popen([sys.executable, "-m", "onboarding.cli.main", "portal", "--port", str(port)],
                                  env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(f"{base}/r/{tokens[0]}", timeout=5)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or portal.poll() is not None:
                        raise RuntimeError("the portal did not start")
                    time.sleep(0.2)
            before = _memory_mb(portal.pid)

            def upload(index: int) -> int:
                files = {"id_card_back": (f"back-{index}.png", bodies[index % 2], "image/png")}
                return httpx.post(f"{base}/r/{tokens[index]}/upload", files=files, timeout=300).status_code

            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=uploads) as pool:
                statuses = list(pool.map(upload, range(uploads)))
            seconds = time.monotonic() - started
            after = _memory_mb(portal.pid)
        finally:
            portal.terminate()
            try:
                portal.wait(timeout=60)
            except subprocess.TimeoutExpired:
                portal.kill()  # still decoding (the unbounded run): its memory must not outlive the bench
                portal.wait(timeout=60)
    return {"uploads": uploads, "limits": "first round" if unbounded else "this round",
            "rss_before_mb": round(before["VmRSS"]), "peak_rss_mb": round(after["VmHWM"]),
            "seconds": round(seconds, 1), "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--unbounded", action="store_true", help="the first round's limits, to compare")
    args = parser.parse_args()
    print(json.dumps(run(args.uploads, args.unbounded)))


if __name__ == "__main__":
    main()
