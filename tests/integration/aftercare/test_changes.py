"""Change requests through the same pipeline as onboarding: codes for new contacts; new documents read by the
flow's own reading step (real OCR) and checked by the same rules; a staff approval for settlement accounts;
refunds held while a settlement change is open and paid to the new account after."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from aftercare_world import NEW_PHONE, NOW, PHONE
from documents.samples.applications import encode_jpeg
from documents.samples.identity import make_identity
from documents.samples.render import render
from documents.types import DocumentType
from onboarding.domain.changes import ChangeRefused, CodeRefused
from onboarding.service import changes
from onboarding.service.change_input import parse_change
from onboarding.service.submission import UploadedFile, UploadRefused

IDENTITY = make_identity(31, as_of=NOW.date(), merchant_type="small_micro")
OTHER = make_identity(32, as_of=NOW.date(), merchant_type="small_micro")
NEW_ACCOUNT = {"holder_name": IDENTITY.name, "number": IDENTITY.card_number, "bank_name": IDENTITY.bank_name}


def card_photo(number: str) -> UploadedFile:
    return UploadedFile(DocumentType.BANK_CARD,
                        encode_jpeg(render(DocumentType.BANK_CARD, IDENTITY.model_copy(update={"card_number": number}))),
                        "card.jpg")


def run_change_check(world, application_id: str) -> str:
    """What the onboarding flow does for a change awaiting its check (its task body, without the orchestrator)."""
    from flows.onboard import check_change
    from onboarding.service.checking import begin_check

    (plan,) = begin_check(world.services, application_id).change_checks
    return check_change.fn(application_id, plan.change_id, plan.document_ids)


def code_sent_to(world, recipient: str) -> str:
    return re.search(r"\b(\d{6})\b", world.messages_to(recipient)[-1]["body"]).group(1)


def test_a_new_phone_takes_effect_only_after_its_code(world):
    app = world.approved()
    change_id = changes.request_change(world.services, app, parse_change({"phone": NEW_PHONE}), [],
                                       actor="merchant:link")
    view = changes.change_view(world.services, change_id)
    assert (view["state"], view["waiting_for"]["codes"]) == ("awaiting_merchant", ["phone"])
    assert world.application(app).phone == PHONE
    assert any("如非本人操作" in m["body"] for m in world.messages_to(PHONE))  # the old phone hears of it
    code = code_sent_to(world, NEW_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(CodeRefused, match="not right"):
        changes.enter_code(world.services, change_id, wrong, actor="merchant:link")
    assert world.application(app).phone == PHONE
    assert changes.enter_code(world.services, change_id, code, actor="merchant:link") == "applied"
    assert world.application(app).phone == NEW_PHONE
    assert changes.change_view(world.services, change_id)["previous"] == {"phone": "1380***8000"}
    assert {"change_code_refused", "change_code_confirmed", "details_changed"} <= set(world.actions(app))
    assert any("已修改" in m["body"] for m in world.messages_to(PHONE))  # both numbers are told it changed
    assert any("已修改" in m["body"] for m in world.messages_to(NEW_PHONE))


def test_a_code_expires_and_too_many_wrong_codes_burn_it(world):
    app = world.approved()
    change_id = changes.request_change(world.services, app, parse_change({"email": "new@example.com"}), [],
                                       actor="merchant:link")
    code = code_sent_to(world, "new@example.com")
    for _ in range(5):
        with pytest.raises(CodeRefused):
            changes.enter_code(world.services, change_id, "12345a", actor="merchant:link")
    with pytest.raises(CodeRefused, match="expired or was entered wrongly too often"):
        changes.enter_code(world.services, change_id, code, actor="merchant:link")
    changes.resend_code(world.services, change_id, "email", actor="merchant:link")
    world.later(minutes=16)
    with pytest.raises(CodeRefused, match="expired"):
        changes.enter_code(world.services, change_id, code_sent_to(world, "new@example.com"), actor="merchant:link")
    assert world.application(app).email == "wang@example.com"


def test_a_settlement_change_for_another_holder_is_refused_at_once(world):
    app = world.approved()
    before = world.application(app)
    other_holder = {**NEW_ACCOUNT, "holder_name": "李四"}
    change_id = changes.request_change(world.services, app, parse_change({"settlement_account": other_holder}),
                                       [card_photo(IDENTITY.card_number)], actor="merchant:link")
    view = changes.change_view(world.services, change_id)
    assert view["state"] == "refused"
    assert [f["code"] for f in view["findings"]] == ["settlement_account_name_mismatch"]
    assert view["findings"][0]["evidence"]["holder"] == "李*"  # masked for staff
    after = world.application(app)
    assert (after.settlement_holder_name, after.settlement_number) == (before.settlement_holder_name,
                                                                      before.settlement_number)
    assert DocumentType.BANK_CARD in after.current_documents()
    assert after.current_documents()[DocumentType.BANK_CARD].sha256 == before.current_documents()[
        DocumentType.BANK_CARD].sha256
    refused = next(m for m in world.outbox(app) if "change-" in m["idempotency_key"] and "refused" in m["idempotency_key"])
    assert "同名" in refused["body"] or "不一致" in refused["body"]
    assert "change_refused" in world.actions(app)


def test_changes_are_refused_before_anything_is_stored(world):
    app = world.approved()
    with pytest.raises(ChangeRefused, match="the one on file"):
        changes.request_change(world.services, app, parse_change({"phone": PHONE}), [], actor="staff:ana")
    with pytest.raises(UploadRefused, match="not needed for this change"):
        changes.request_change(world.services, app, parse_change({"phone": NEW_PHONE}),
                               [card_photo(IDENTITY.card_number)], actor="staff:ana")
    assert changes.change_rows(world.services) == []
    changes.request_change(world.services, app, parse_change({"phone": NEW_PHONE}), [], actor="staff:ana")
    with pytest.raises(ChangeRefused, match="open"):
        changes.request_change(world.services, app, parse_change({"email": "x@example.com"}), [], actor="staff:ana")


def test_an_unfinished_change_expires_with_the_sweep(world):
    app = world.approved()
    change_id = changes.request_change(world.services, app, parse_change({"phone": NEW_PHONE}), [],
                                       actor="merchant:link")
    assert world.sweep(NOW + timedelta(days=13))["changes"]["expired"] == 0
    assert world.sweep(NOW + timedelta(days=14))["changes"]["expired"] == 1
    assert changes.change_view(world.services, change_id)["state"] == "expired"
    assert "change_expired" in world.actions(app)


def test_a_settlement_change_is_read_checked_approved_and_the_refund_goes_to_the_new_account(sqlite_world):
    world = sqlite_world
    app = world.approved(legal_name=IDENTITY.name)
    world.confirm_call(app)
    sn = world.shipped(app)
    activated = world.later(days=1)
    world.import_rows([world.txn(sn, activated, 1_000_000)])  # the whole threshold at once

    # A photo of another card: the merchant is asked for the right one, nothing changes.
    change_id = changes.request_change(world.services, app, parse_change({"settlement_account": NEW_ACCOUNT}),
                                       [card_photo(OTHER.card_number)], actor="merchant:link")
    assert changes.change_view(world.services, change_id)["state"] == "checking"
    assert run_change_check(world, app) == "awaiting_merchant"
    view = changes.change_view(world.services, change_id)
    assert [f["code"] for f in view["findings"]] == ["card_number_mismatch"]
    assert view["waiting_for"]["documents"] == ["bank_card"]
    assert any("尾号" in m["body"] for m in world.outbox(app) if "-documents-" in m["idempotency_key"])

    # The deposit's threshold is reached while the change is open: the refund waits.
    report = world.sweep(world.later(hours=1))
    assert report["ledger"]["activated"] == 1 and report["ledger"]["refunded"] == 0

    changes.request_change(world.services, app, None, [card_photo(IDENTITY.card_number)], actor="merchant:link")
    assert run_change_check(world, app) == "awaiting_approval"
    assert changes.change_view(world.services, change_id)["findings"] == []
    assert world.application(app).settlement_number != IDENTITY.card_number  # not before a staff approval
    assert changes.decide(world.services, change_id, True, actor="staff:ana", reason="card and name match") == "applied"

    after = world.application(app)
    assert (after.settlement_number, after.settlement_holder_name) == (IDENTITY.card_number, IDENTITY.name)
    assert after.current_documents()[DocumentType.BANK_CARD].proposed_for is None
    previous = changes.change_view(world.services, change_id)["previous"]["settlement_account"]
    assert previous["number"].endswith("0123")  # the old account stays in the change's history
    report = world.sweep(world.later(hours=1))
    assert report["ledger"]["refunded"] == 1
    with world.services.uow() as uow:
        (refund,) = uow.ledger.refund_instructions_for(app)
        bound = uow.ledger.terminal_for_application(app).binding.settlement_account
    assert refund["account_number"] == IDENTITY.card_number == bound
    refunded = next(m for m in world.outbox(app) if m["idempotency_key"] == f"deposit:{app}:refunded:sms")
    assert f"尾号 {IDENTITY.card_number[-4:]}" in refunded["body"] and "/r/" in refunded["body"]
    assert {"change_requested", "document_proposed", "change_checked", "details_changed", "terminal_rebound"} <= \
        set(world.actions(app))


def test_a_new_address_needs_a_new_address_proof_that_matches(sqlite_world):
    world = sqlite_world
    app = world.approved(legal_name=IDENTITY.name)
    proof = UploadedFile(DocumentType.ADDRESS_PROOF, encode_jpeg(render(DocumentType.ADDRESS_PROOF, IDENTITY)),
                         "bill.jpg")
    change_id = changes.request_change(world.services, app,
                                       parse_change({"business_address": IDENTITY.business_address}), [],
                                       actor="merchant:link")
    assert changes.change_view(world.services, change_id)["waiting_for"]["documents"] == ["address_proof"]
    changes.request_change(world.services, app, None, [proof], actor="merchant:link")
    assert run_change_check(world, app) == "applied"
    assert world.application(app).business_address == IDENTITY.business_address


def test_a_refund_waits_while_a_settlement_change_is_open_and_goes_out_once_it_ends(world):
    app = world.approved()
    world.confirm_call(app)
    sn = world.shipped(app)
    account = {**NEW_ACCOUNT, "holder_name": "王昌良"}
    change_id = changes.request_change(world.services, app, parse_change({"settlement_account": account}), [],
                                       actor="merchant:link")
    world.import_rows([world.txn(sn, world.later(days=1), 1_000_000)])
    assert world.sweep(world.later(hours=1))["ledger"]["refunded"] == 0
    assert changes.change_view(world.services, change_id)["holds_deposit_refund"] is True
    changes.cancel(world.services, change_id, actor="merchant:link", reason="kept the old account")
    assert world.sweep(world.later(hours=1))["ledger"]["refunded"] == 1
    with world.services.uow() as uow:
        (refund,) = uow.ledger.refund_instructions_for(app)
    assert refund["account_number"] == "6222021234567890123"  # the change never applied: the account on file
