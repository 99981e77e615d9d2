"""Many uploads on one link at once (a merchant tapping "send" repeatedly, a script): one current document per type.

A real portal on a socket, 30 threads posting at once, on a SQLite file and on PostgreSQL.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from onboarding.bootstrap import get_services, reset_services
from onboarding.portal.ratelimit import PortalLimits, RateLimit
from tests.integration.portal.conftest import EXPIRED_BACK, NOW, build_merchant, photo_bytes

PARALLEL_UPLOADS = 30


@pytest.fixture
def services(onboard_home, database_url, monkeypatch):
    """The portal's services on the database under test (the shared fixture's, on SQLite only)."""
    monkeypatch.setenv("ONBOARD_DATABASE_URL", database_url)
    reset_services()
    services = get_services()
    services.clock = lambda: NOW
    services.uow()
    return services


def test_thirty_parallel_uploads_on_one_link_leave_one_current_document_of_the_type(portal_factory, services):
    merchant = build_merchant(services, [EXPIRED_BACK])
    client = portal_factory(PortalLimits(uploads_per_token=RateLimit(10 * PARALLEL_UPLOADS, 600)))
    photos = [photo_bytes(seed=5000 + i) for i in range(PARALLEL_UPLOADS)]

    def upload(i: int) -> int:
        files = {"id_card_back": (f"back-{i}.jpg", photos[i], "image/jpeg")}
        return client.post(f"{merchant.path}/upload", files=files).status_code

    with ThreadPoolExecutor(max_workers=PARALLEL_UPLOADS) as pool:
        statuses = list(pool.map(upload, range(PARALLEL_UPLOADS)))

    assert all(status < 500 for status in statuses), statuses
    with services.uow() as uow:
        documents = uow.applications.get(merchant.application_id).documents
        current = [d.id for d in documents if str(d.document_type) == "id_card_back" and d.is_current]
        uploaded = [d.id for d in documents if d.uploaded_by == "merchant:link"]
    assert len(current) == 1, f"{len(current)} current id_card_back documents after {statuses}"
    assert uploaded, statuses  # the race really ran: at least one upload got through
