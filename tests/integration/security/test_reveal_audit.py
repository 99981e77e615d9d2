"""Seeing full ID and card numbers leaves a trace: who, when, why."""
from __future__ import annotations

from onboarding.service.views import application_view
from security_world import CARD_NUMBER


def _version(services, application_id: str) -> int:
    with services.uow() as uow:
        return uow.applications.get(application_id).version


def test_a_masked_view_writes_nothing(world):
    services = world.services()
    application_id = world.application(services, "needs_documents")
    view = application_view(services, application_id)
    assert "*" in view["settlement_account"]["number"]
    assert world.events(services, application_id, "pii_revealed") == []


def test_reveal_records_actor_and_reason_without_touching_the_application_row(world):
    services = world.services()
    application_id = world.application(services, "needs_documents")
    version = _version(services, application_id)

    view = application_view(services, application_id, reveal=True, actor="staff:li", reason="merchant called: refund")

    assert view["settlement_account"]["number"] == CARD_NUMBER
    (event,) = world.events(services, application_id, "pii_revealed")
    assert (event.actor, event.reason, event.at) == ("staff:li", "merchant called: refund", world.now)
    assert view["history"][-1]["action"] == "pii_revealed"
    assert _version(services, application_id) == version  # a reveal never conflicts with a running flow


def test_a_reveal_without_a_reason_is_still_recorded_as_such(world):
    services = world.services()
    application_id = world.application(services, "manual_review")
    application_view(services, application_id, reveal=True)
    (event,) = world.events(services, application_id, "pii_revealed")
    assert (event.actor, event.reason) == ("unattributed", "no reason given")
