"""Races on PostgreSQL: two uploads, two sweeps, a staff override against a flow step. Nothing is lost,
nothing happens twice. `get(..., for_update=True)` serialises writers on the application row; the
mapper's version counter refuses a write based on a stale read."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.orm.exc import StaleDataError

from documents.types import DocumentType as D
from onboarding.domain.states import ApplicationState as S
from onboarding.service import checking, requests
from onboarding.service.request_sweep import sweep_requests
from onboarding.service.review import ReviewRefused, decide, request_document
from onboarding.service.submission import UploadedFile, add_documents
from rules.messages import deficiency
from rules.model import Decision, Outcome
from security_world import photo

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]
ROUNDS = 4
BLOCKED = 0.5  # seconds a thread waiting on a row lock must still be waiting


def at_once(*calls):
    """Runs the calls in threads released together; returns each call's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def snapshot(services, application_id: str):
    with services.uow() as uow:
        app = uow.applications.get(application_id)
        transitions = Counter((e.from_state, e.to_state) for e in app.events if e.action == "transition")
        actions = Counter(e.action for e in app.events)
        current = {str(t): d.sha256 for t, d in app.current_documents().items()}
        return app.state, app.version, transitions, actions, current, len(app.documents), len(app.decisions)


def outbox_keys(world, application_id: str) -> Counter:
    return Counter(k for (k,) in world.raw("SELECT idempotency_key FROM outbox WHERE application_id = :a",
                                           a=application_id))


# ---- two uploads ---------------------------------------------------------------------------------


def test_two_uploads_at_the_same_moment_are_both_recorded(world):
    for n in range(ROUNDS):
        services = world.services()
        application_id = world.application(services, "needs_documents")
        front, store = UploadedFile(D.ID_CARD_FRONT, photo(100 + n)), UploadedFile(D.STOREFRONT_PHOTO, photo(200 + n))

        results = at_once(lambda: add_documents(world.services(), application_id, [front], actor="merchant:a"),
                          lambda: add_documents(world.services(), application_id, [store], actor="staff:b"))

        assert results == [1, 1]
        _, _, _, actions, current, count, _ = snapshot(services, application_id)
        assert set(current) == {"id_card_front", "storefront_photo"} and count == 2
        assert actions["document_added"] == 2


def test_two_uploads_of_one_type_leave_one_current_and_both_on_record(world):
    for n in range(ROUNDS):
        services = world.services()
        application_id = world.application(services, "needs_documents")
        first, second = (UploadedFile(D.STOREFRONT_PHOTO, photo(300 + 2 * n + i)) for i in range(2))

        assert at_once(*(lambda f=f: add_documents(world.services(), application_id, [f], actor="merchant")
                         for f in (first, second))) == [1, 1]
        with services.uow() as uow:
            documents = uow.applications.get(application_id).documents
            assert len(documents) == 2 and sum(d.is_current for d in documents) == 1


def test_an_upload_waits_for_the_row_lock_and_then_sees_the_other_writer(world):
    services = world.services()
    application_id = world.application(services, "needs_documents")
    with services.uow() as holder:
        held = holder.applications.get(application_id, for_update=True)
        upload = threading.Thread(target=add_documents, args=(
            world.services(), application_id, [UploadedFile(D.STOREFRONT_PHOTO, photo(400))]), kwargs={"actor": "m"})
        upload.start()
        upload.join(BLOCKED)
        assert upload.is_alive(), "the upload did not wait for the row lock"
        held.record(at=world.now, actor="staff:x", action="note", reason="written while the upload waits")
        holder.commit()
    upload.join(30)
    _, _, _, actions, current, _, _ = snapshot(services, application_id)
    assert actions["note"] == 1 and actions["document_added"] == 1 and "storefront_photo" in current


# ---- two sweeps ------------------------------------------------------------------------------------


def _open_request(world, services) -> str:
    application_id = world.application(services, "manual_review")
    request_document(services, application_id, "storefront_photo", actor="staff:x", reason="please")
    return application_id


def test_two_sweeps_send_each_reminder_once(world):
    for _ in range(ROUNDS):
        services = world.services()
        application_id = _open_request(world, services)
        as_of = world.now + timedelta(hours=25)  # the 24 h reminder is due, the request is not

        reports = at_once(*(lambda: sweep_requests(world.services(), as_of) for _ in range(2)))

        assert sum(r["reminders"] for r in reports) == 1 and sum(r["expired"] for r in reports) == 0
        assert snapshot(services, application_id)[3]["reminder_sent"] == 1
        reminders = [k for k in outbox_keys(world, application_id) if "r1-" in k]
        assert len(reminders) == 2  # one SMS, one email


def test_two_sweeps_expire_an_application_once(world):
    for _ in range(ROUNDS):
        services = world.services()
        application_id = _open_request(world, services)
        as_of = world.now + timedelta(days=services.settings.request_due_days, hours=1)

        reports = at_once(*(lambda: sweep_requests(world.services(), as_of) for _ in range(2)))

        assert sum(r["expired"] for r in reports) == 1
        state, _, transitions, _, _, _, _ = snapshot(services, application_id)
        assert state == S.EXPIRED and transitions[("needs_documents", "expired")] == 1
        assert all(count == 1 for count in outbox_keys(world, application_id).values())


# ---- staff override against a flow step ------------------------------------------------------------


def _flow_decision(services) -> Decision:
    missing = deficiency(services.ruleset, "document_missing", D.STOREFRONT_PHOTO)
    return Decision(outcome=Outcome.NEEDS_DOCUMENTS, deficiencies=[missing],
                    rules_version=services.ruleset.version_label, evaluated_on=services.clock().date())


def _race_decision_and_rejection(world):
    services = world.services()
    application_id = world.application(services, "checking")
    flow = lambda: checking.record_decision(world.services(), application_id, _flow_decision(services), "f" * 64)  # noqa: E731
    staff = lambda: decide(world.services(), application_id, Outcome.REJECTED, actor="staff:x", reason="fraud")  # noqa: E731
    return services, application_id, flow, staff


def test_a_staff_rejection_racing_the_flow_decision_never_double_transitions(world):
    for _ in range(ROUNDS):
        services, application_id, flow, staff = _race_decision_and_rejection(world)
        flow_result, staff_result = at_once(flow, staff)

        state, _, transitions, _, _, _, decisions = snapshot(services, application_id)
        assert flow_result == S.NEEDS_DOCUMENTS and transitions[("checking", "needs_documents")] == 1
        if isinstance(staff_result, ReviewRefused):  # staff came first: the application was still checking
            assert state == S.NEEDS_DOCUMENTS and decisions == 1
        else:  # the flow came first: staff rejected what it decided
            assert staff_result is None and state == S.REJECTED and decisions == 2
            assert transitions[("needs_documents", "rejected")] == 1
        assert all(count == 1 for count in transitions.values())


def test_a_staff_override_waits_for_the_flow_step_holding_the_row(world, monkeypatch: pytest.MonkeyPatch):
    services, application_id, flow, staff = _race_decision_and_rejection(world)
    inside, release = threading.Event(), threading.Event()
    real_after_decision = requests.after_decision

    def slow_for_the_flow(services_, uow, application, decision, at, actor):
        real_after_decision(services_, uow, application, decision, at, actor)
        if actor == checking.ENGINE_ACTOR:  # the flow pauses inside its transaction, row lock held
            inside.set()
            release.wait(30)

    monkeypatch.setattr(requests, "after_decision", slow_for_the_flow)
    flow_thread = threading.Thread(target=flow)
    flow_thread.start()
    assert inside.wait(30)
    outcome: list = []
    staff_thread = threading.Thread(target=lambda: outcome.append(staff()))
    staff_thread.start()
    staff_thread.join(BLOCKED)
    assert staff_thread.is_alive(), "the override did not wait for the flow's row lock"
    release.set()
    flow_thread.join(30)
    staff_thread.join(30)

    state, _, transitions, _, _, _, decisions = snapshot(services, application_id)
    assert outcome == [None] and state == S.REJECTED and decisions == 2
    assert transitions == Counter({("submitted", "checking"): 1, ("checking", "needs_documents"): 1,
                                   ("needs_documents", "rejected"): 1})


# ---- the version counter ---------------------------------------------------------------------------


def test_a_write_based_on_a_stale_read_is_refused_by_the_version_counter(world):
    services = world.services()
    application_id = world.application(services, "needs_documents")
    with services.uow() as first, services.uow() as second:
        a = first.applications.get(application_id)  # no lock: plain reads, as a careless caller would
        b = second.applications.get(application_id)
        a.transition(S.CHECKING, actor="flow", reason="documents to check", at=world.now)
        first.commit()
        b.transition(S.WITHDRAWN, actor="staff:x", reason="merchant withdrew", at=world.now)
        with pytest.raises(StaleDataError):
            second.commit()
    state, _, transitions, _, _, _, _ = snapshot(services, application_id)
    assert state == S.CHECKING and ("needs_documents", "withdrawn") not in transitions
