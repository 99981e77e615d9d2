"""What the back office's routes share (one per app, nothing at import): the services, who is asking, how the
checks are started, the templates and the live report; and the steps pages and API have in common."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from starlette.responses import Response

from documents.storage import BlobNotFound
from onboarding.backoffice.actions import Action, Outcome
from onboarding.backoffice.auth import Auth
from onboarding.backoffice.errors import ApiError
from onboarding.backoffice.images import display_jpeg
from onboarding.backoffice.launcher import Launch
from onboarding.backoffice.report import LiveReport
from onboarding.bootstrap import Services
from onboarding.reporting.funnel import compute_funnel
from onboarding.reporting.queries import load_funnel_inputs
from onboarding.service import queue
from onboarding.service.casework import document_for_viewing
from onboarding.service.ledger_pages import sweep_preview
from onboarding.service.review import ReviewRefused
from onboarding.service.staff import StaffSession


@dataclass
class BackOffice:
    services: Services
    auth: Auth
    launch: Launch
    report: LiveReport
    env: Environment
    deliver: Callable[[str], None]

    def perform(self, action: Action, application_id: str, body: Any, staff: StaffSession) -> Outcome:
        outcome = action.run(self.services, application_id, body, staff)
        if outcome.run:
            self.launch(application_id, outcome.run_from)
        if action.sends_messages:
            self.deliver(application_id)
        return outcome

    def csv_response(self, staff: StaffSession, chosen: queue.QueueFilter) -> Response:
        rows = queue.export_rows(self.services, chosen, staff.username)
        with self.services.uow() as uow:
            uow.staff.record_event(self.services.clock(), staff.actor, "queue_exported", None,
                                   {"rows": len(rows), "state": chosen.raw_state, "q": bool(chosen.q)})
            uow.commit()
        stamp = self.services.clock().strftime("%Y%m%dT%H%M%SZ")
        return Response(queue.to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="applications-{stamp}.csv"'})

    def image_response(self, staff: StaffSession, document_id: str) -> Response:
        try:
            sha256, _ = document_for_viewing(self.services, document_id, actor=staff.actor)
        except ReviewRefused as refused:
            raise ApiError(404, str(refused)) from None
        try:
            jpeg = display_jpeg(self.services, sha256)
        except BlobNotFound:
            raise ApiError(404, f"the file of {document_id} is not in the document store") from None
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})

    def sweep_preview(self, staff: StaffSession) -> dict[str, Any]:
        preview = sweep_preview(self.services)
        with self.services.uow() as uow:
            uow.staff.record_event(self.services.clock(), staff.actor, "sweep_dry_run", None, preview)
            uow.commit()
        return preview

    def report_figures(self) -> dict[str, Any]:
        now = self.services.clock()
        with self.services.uow() as uow:
            inputs = load_funnel_inputs(uow.session, now)
        return compute_funnel(inputs, now).model_dump(mode="json")
