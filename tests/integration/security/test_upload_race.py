"""An application closed while an upload stores its files takes no document (checked again under the lock)."""
from __future__ import annotations

import pytest

from documents.storage import sha256_hex
from documents.types import DocumentType as D
from onboarding.service.review import decide
from onboarding.service.submission import UploadedFile, UploadRefused, add_documents
from rules.model import Outcome
from security_world import Hooked, photo


def test_an_upload_to_an_application_rejected_meanwhile_is_refused_and_leaves_nothing(world):
    services = world.services()
    application_id = world.application(services, "needs_documents")
    data = photo(500)

    def staff_reject_while_files_are_stored() -> None:
        decide(world.services(), application_id, Outcome.REJECTED, actor="staff:x", reason="fraud")

    uploader = world.services()
    uploader.blobs = Hooked(services.blobs, "exists", staff_reject_while_files_are_stored)
    with pytest.raises(UploadRefused) as refused:
        add_documents(uploader, application_id, [UploadedFile(D.STOREFRONT_PHOTO, data)], actor="merchant")

    assert refused.value.code == "application_closed"
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        assert application.documents == [] and str(application.state) == "rejected"
    assert not services.blobs.exists(sha256_hex(data))
