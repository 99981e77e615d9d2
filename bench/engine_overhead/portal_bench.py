"""Figure 5: 50 merchants upload a 1 MB JPEG each, all at once, through valid links to a real uvicorn server.

The server runs in its own process (`portal_worker`), so the load generator (asyncio + httpx here) does not
share its interpreter; every upload is one multipart POST /r/{token}/upload, answered 303 when stored.
"""
from __future__ import annotations

import asyncio
import io
import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.engine_overhead.processes import REPO, clean_env, python_command
from bench.engine_overhead.sizes import Size


def upload_jpegs(count: int, target_bytes: int) -> list[bytes]:
    """`count` distinct JPEGs of an ID card back, each about `target_bytes` (upscaled scan, quality 95)."""
    from PIL import Image

    from documents.samples.identity import make_identity
    from documents.samples.render import render

    card = render("id_card_back", make_identity(4242), seed=4242)
    scale, data = 1.0, b""
    for _ in range(8):
        image = card.resize((int(card.width * scale), int(card.height * scale)), Image.Resampling.LANCZOS)
        data = _jpeg(image)
        if abs(len(data) - target_bytes) < 0.08 * target_bytes:
            break
        scale *= (target_bytes / len(data)) ** 0.5
    jpegs = []
    for n in range(count):  # a different corner per merchant: different bytes, different sha256
        marked = image.copy()
        marked.paste((n * 37 % 256, n * 91 % 256, n * 53 % 256), (0, 0, 6, 6))
        jpegs.append(_jpeg(marked))
    return jpegs


def _jpeg(image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


@dataclass
class PortalFigure:
    merchants: int
    upload_bytes: int
    latencies_s: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def error_count(self) -> int:
        return len(self.errors)


async def _upload_all(url: str, tokens: list[str], jpegs: list[bytes], figure: PortalFigure) -> None:
    import httpx

    start = asyncio.Event()

    async def one(client: httpx.AsyncClient, token: str, data: bytes) -> None:
        await start.wait()
        began = time.perf_counter()
        try:
            response = await client.post(f"{url}/r/{token}/upload",
                                         files={"id_card_back": ("back.jpg", data, "image/jpeg")})
            figure.latencies_s.append(time.perf_counter() - began)
            figure.statuses[str(response.status_code)] = figure.statuses.get(str(response.status_code), 0) + 1
            if response.status_code != 303:
                figure.errors.append(f"{response.status_code}: {response.text[:120]!r}")
        except httpx.HTTPError as error:
            figure.errors.append(f"{type(error).__name__}: {error}")

    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(limits=limits, timeout=120, follow_redirects=False) as client:
        (await client.get(f"{url}/healthz")).raise_for_status()
        tasks = [asyncio.create_task(one(client, token, data)) for token, data in zip(tokens, jpegs)]
        await asyncio.sleep(0.05)
        began = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        figure.wall_s = time.perf_counter() - began


def measure_portal(scratch: Path, size: Size, startup_timeout_s: float = 180) -> PortalFigure:
    scratch.mkdir(parents=True, exist_ok=True)
    ready, stop = scratch / "ready.json", scratch / "stop"
    command = python_command("-m", "bench.engine_overhead.portal_worker", "--home", str(scratch / "home"),
                             "--merchants", str(size.portal_merchants), "--ready", str(ready), "--stop", str(stop))
    log = open(scratch / "portal.log", "wb")
    server = subprocess.Popen(command, env=clean_env(), cwd=REPO, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        jpegs = upload_jpegs(size.portal_merchants, size.portal_upload_bytes)
        deadline = time.monotonic() + startup_timeout_s
        while not ready.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"portal worker did not start: {(scratch / 'portal.log').read_text()[-2000:]}")
            time.sleep(0.1)
        served = json.loads(ready.read_text(encoding="utf-8"))
        figure = PortalFigure(merchants=size.portal_merchants, upload_bytes=round(sum(map(len, jpegs)) / len(jpegs)))
        asyncio.run(_upload_all(served["url"], served["tokens"], jpegs, figure))
        return figure
    finally:
        stop.touch()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
