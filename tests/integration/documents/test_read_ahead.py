"""Reading ahead: documents whose OCR started before their flow are not read a second time by it."""
from __future__ import annotations

from documents.samples.applications import sample_application
from onboarding.bootstrap import get_services
from onboarding.service import checking, reading
from onboarding.service.application_input import parse_application
from onboarding.service.submission import UploadedFile, submit_application


def test_documents_read_ahead_are_read_once_and_the_check_uses_those_readings(onboard_home, monkeypatch):
    services = get_services()
    sample = sample_application(7, "small_micro", "complete")
    files = [UploadedFile(t, data, f"{t}.jpg") for t, data in sample.documents.items()]
    application_id = submit_application(services, parse_application(sample.payload), files, actor="test")
    started = []
    submit = services.ocr_workers.submit
    monkeypatch.setattr(services.ocr_workers, "submit", lambda data, t: started.append(t) or submit(data, t))
    try:
        ahead = reading.read_ahead(services, [application_id])
        assert reading.read_ahead(services, [application_id]) == ahead  # still in flight: joined, not restarted
        plan = checking.begin_check(services, application_id, force=False)
        fields = reading.read_documents(services, plan.ocr_document_ids)

        assert ahead == len(plan.ocr_document_ids) == len(started) > 0
        assert set(fields) == set(plan.ocr_document_ids) and all(fields.values())
        assert reading.read_ahead(services, [application_id]) == 0  # every reading is kept now
        assert len(started) == ahead
    finally:
        services.close()
