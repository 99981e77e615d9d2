from datetime import datetime, timedelta, timezone

import pytest

from onboarding.domain.model import Application
from onboarding.domain.states import ALLOWED_TRANSITIONS, ApplicationState as S, IllegalTransition

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)


def make_application(state: S = S.SUBMITTED) -> Application:
    return Application(
        merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481", phone="13800138000",
        email=None, business_name="昌良小吃店", business_address="广东省江门市台山市北陡镇沙咀村12号",
        settlement_holder_name="王昌良", settlement_number="6222021234567890123", settlement_bank="工商银行",
        device_model="P2", created_at=NOW, state=state,
    )


def test_happy_path_records_one_audit_event_per_transition():
    app = make_application()
    path = [S.CHECKING, S.NEEDS_DOCUMENTS, S.CHECKING, S.APPROVED, S.SHIPPED, S.ACTIVE]
    for i, target in enumerate(path):
        app.transition(target, actor="engine", reason=f"step {i}", at=NOW + timedelta(minutes=i))
    assert app.state == S.ACTIVE
    assert [(e.from_state, e.to_state) for e in app.events] == list(zip([S.SUBMITTED, *path[:-1]], path))
    assert app.events[-1].reason == "step 5" and app.state_changed_at == NOW + timedelta(minutes=5)


@pytest.mark.parametrize("current", list(S))
def test_every_illegal_transition_raises_and_changes_nothing(current: S):
    for target in set(S) - ALLOWED_TRANSITIONS[current]:
        app = make_application(current)
        with pytest.raises(IllegalTransition):
            app.transition(target, actor="staff:x", reason="try", at=NOW)
        assert app.state == current and app.events == [] and app.state_changed_at is None


def test_terminal_states_have_no_way_out():
    for state in (S.ACTIVE, S.REJECTED, S.WITHDRAWN):
        assert ALLOWED_TRANSITIONS[state] == frozenset()


def test_staff_may_approve_from_needs_documents_and_reopen_an_expired_application():
    assert S.APPROVED in ALLOWED_TRANSITIONS[S.NEEDS_DOCUMENTS]
    assert ALLOWED_TRANSITIONS[S.EXPIRED] == frozenset({S.NEEDS_DOCUMENTS})


def test_a_new_upload_supersedes_the_previous_document_of_its_type():
    from onboarding.domain.model import Document

    app = make_application()

    def doc(sha: str) -> Document:
        return Document(application_id="", document_type="id_card_back", sha256=sha, size_bytes=1,
                        media_type="image/png", uploaded_at=NOW, uploaded_by="merchant")

    assert app.add_document(doc("a" * 64), actor="merchant", at=NOW)
    assert not app.add_document(doc("a" * 64), actor="merchant", at=NOW)  # same bytes again: no change
    assert app.add_document(doc("b" * 64), actor="merchant", at=NOW + timedelta(hours=1))
    current = app.current_documents()
    assert current["id_card_back"].sha256 == "b" * 64
    assert len(app.documents) == 2 and app.documents[0].superseded_at == NOW + timedelta(hours=1)
    assert [e.action for e in app.events] == ["document_added", "document_added"]
