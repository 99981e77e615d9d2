"""The foundation's promise, through the real CLI: submit → OCR → checks → a state staff can see."""
from __future__ import annotations

import json

from documents.types import DocumentType
from tests.e2e.conftest import doc_args


def codes(view: dict) -> set[str]:
    return {d["code"] for d in view["deficiencies"]}


def test_complete_small_micro_application_is_approved_with_an_audit_trail(onboard, write_sample):
    app_file, docs, _ = write_sample(11, "small_micro")
    result = onboard("submit", str(app_file), *doc_args(docs), "--wait", "--json")
    assert result.exit_code == 0, result.stderr
    view = result.json()
    assert view["state"] == "approved", view["deficiencies"]
    assert view["deficiencies"] == []

    shown = onboard("show", view["application_id"], "--json").json()
    transitions = [(e["from_state"], e["to_state"]) for e in shown["history"] if e["action"] == "transition"]
    assert transitions == [("submitted", "checking"), ("checking", "approved")]
    assert shown["decision"]["rules_version"] and shown["decision"]["ocr_engine"].startswith("rapidocr ")
    revealed = onboard("show", view["application_id"], "--reveal", "--reason", "test: check unmasking", "--json")
    assert "*" in shown["id_number"] and "*" not in revealed.json()["id_number"]
    assert onboard("show", view["application_id"], "--reveal").exit_code == 2  # no reason, no reveal


def test_missing_id_back_asks_for_it_and_an_upload_completes_the_application(onboard, write_sample):
    app_file, docs, sample = write_sample(12, "small_micro")
    back = docs.pop(DocumentType.ID_CARD_BACK)
    view = onboard("submit", str(app_file), *doc_args(docs), "--wait", "--json").json()
    assert view["state"] == "needs_documents"
    # The front is on file, so the merchant is told it is the back (国徽面) that is still to come.
    assert [(d["code"], d["document_type"]) for d in view["deficiencies"]] == [("document_missing_back", "id_card_back")]
    assert view["request"]["url"].startswith("http") and view["request"]["items"]

    after = onboard("upload", view["application_id"], "--doc", f"id_card_back={back}", "--wait", "--json").json()
    assert after["state"] == "approved", after["deficiencies"]
    assert [r["status"] for r in after["requests"]] == ["satisfied"]


def test_rerunning_a_decided_application_changes_nothing(onboard, write_sample):
    app_file, docs, _ = write_sample(13, "sole_trader", "expired_id")
    first = onboard("submit", str(app_file), *doc_args(docs), "--wait", "--json").json()
    assert first["state"] == "needs_documents" and "document_expired" in codes(first)
    again = onboard("rerun", first["application_id"], "--json").json()
    assert again["state"] == first["state"]
    assert len(again["history"]) == len(first["history"])
    assert again["requests"] == first["requests"]
    # Answered from the database: no flow run was needed to find there is nothing to do.
    assert again["rerun"] == {"ran": False, "reason": "nothing changed since the last decision"}
    forced = onboard("rerun", first["application_id"], "--from", "check", "--json").json()
    assert forced["rerun"]["ran"] and forced["state"] == first["state"] and forced["requests"] == first["requests"]
    # A step name that redoes what another does is refused, naming the one to use; nothing runs.
    for former in ("intake", "extract"):
        refused = onboard("rerun", first["application_id"], "--from", former, "--json")
        assert refused.exit_code == 2 and refused.stdout == "" and "use --from check" in refused.stderr
    assert len(onboard("show", first["application_id"], "--json").json()["history"]) == len(forced["history"])


def test_bad_application_file_is_refused_naming_the_field_and_nothing_is_stored(onboard, write_sample, tmp_path,
                                                                               onboard_home):
    app_file, docs, sample = write_sample(14, "small_micro")
    for field, value in [("merchant_type", "franchise"), ("id_number", "440781197506032480"), ("phone", "123")]:
        bad = tmp_path / f"bad-{field}.json"
        bad.write_text(json.dumps({**sample.payload, field: value}, ensure_ascii=False), encoding="utf-8")
        result = onboard("submit", str(bad), *doc_args(docs), "--json")
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1 and field in result.stderr
    not_an_image = tmp_path / "notes.jpg"
    not_an_image.write_text("this is not a photo")
    for doc in (f"id_card_back={tmp_path / 'nope.jpg'}", f"id_card_back={not_an_image}", "passport=x.jpg"):
        result = onboard("submit", str(app_file), "--doc", doc, "--json")
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert onboard("status", "--json").json() == []
    documents = onboard_home / "documents"
    assert not documents.exists() or [p for p in documents.rglob("*") if p.is_file()] == []


def test_ocr_command_reads_a_generated_id_card(onboard, write_sample):
    from documents.samples.truth import ground_truth

    _, docs, sample = write_sample(15, "small_micro")
    result = onboard("ocr", str(docs[DocumentType.ID_CARD_FRONT]), "--type", "id_card_front", "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    truth = ground_truth(DocumentType.ID_CARD_FRONT, sample.identity)
    assert out["document_type"] == "id_card_front" and out["engine"].startswith("rapidocr ")
    assert out["fields"]["id_number"]["value"] == truth["id_number"]
    assert out["fields"]["name"]["value"] == truth["name"]
