"""Subprocess for figure 2: one application at a time through the per-application flow, in a warm process.

    python -m bench.engine_overhead.latency_worker --manifest M --home H --count N --out OUT.json

This is the path of `onboard submit --wait` and of a merchant's upload on the portal: submit, then the
`onboard-application` flow, with Prefect's ephemeral API started once beforehand (its start is reported).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ["ONBOARD_HOME"] = str(args.home)

    from bench.engine_overhead.samples import load_sample_set
    from documents.types import DocumentType
    from flows.launch import orchestrator_ready, run_onboarding
    from onboarding.bootstrap import get_services
    from onboarding.runtime import configure_prefect
    from onboarding.service.application_input import parse_application
    from onboarding.service.submission import UploadedFile, submit_application

    services = get_services()
    configure_prefect(services.settings)
    started = time.perf_counter()
    orchestrator_ready(services)
    report = {"prefect_start_s": time.perf_counter() - started, "applications": []}
    for app in load_sample_set(args.manifest)[: args.count]:
        began = time.perf_counter()
        payload = parse_application(json.loads(Path(app.application_file).read_text(encoding="utf-8")))
        files = [UploadedFile(DocumentType(t), Path(p).read_bytes(), Path(p).name) for t, p in app.documents.items()]
        application_id = submit_application(services, payload, files, actor="bench")
        submitted = time.perf_counter()
        state = run_onboarding(services, application_id)
        report["applications"].append({"application_id": application_id, "state": state,
                                       "submit_s": submitted - began, "wall_s": time.perf_counter() - began,
                                       **_ocr_of(services, application_id)})
    services.close()
    args.out.write_text(json.dumps(report), encoding="utf-8")


def _ocr_of(services, application_id: str) -> dict:
    import sqlalchemy as sa

    query = sa.text("""SELECT COUNT(*), COALESCE(SUM(r.seconds), 0), COALESCE(MAX(r.seconds), 0)
                       FROM documents d JOIN ocr_readings r ON r.sha256 = d.sha256 AND r.document_type = d.document_type
                       WHERE d.application_id = :a""")
    with services.uow() as uow:
        documents, total, longest = uow.session.execute(query, {"a": application_id}).one()
    return {"ocr_documents": documents, "ocr_s": total, "ocr_longest_s": longest}


if __name__ == "__main__":
    main()
