"""Every deficiency code DOMAIN.md lists, produced through the real CLI from rendered documents.

Each submit costs seconds of OCR, so codes that can share an application do: one application
per outcome carries every finding that leads to that outcome. document_corrupt is a refusal at
submit (exit 2), never a finding; document_type_mismatch is both (a file of an unsupported type
is refused, a picture that is no ID card is found by the checks). Only the expected codes are
asserted; OCR may add by-products.
"""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from documents.samples import variants
from documents.samples.applications import DOCUMENTS_BY_TYPE, application_payload, encode_jpeg, sample_application
from documents.samples.identity import SampleIdentity, make_identity
from documents.samples.render import render
from documents.types import DocumentType as D

pytestmark = pytest.mark.e2e

# The names, company names and numbers of this merchant read back reliably (checked on dates a year apart).
SEED = 108

DOMAIN_CODES = {
    "document_missing", "document_unreadable", "document_too_small", "document_blurry", "document_corrupt",
    "document_type_mismatch", "document_missing_back", "document_expired", "document_expiring_soon",
    "address_proof_too_old", "id_number_invalid", "id_number_mismatch", "name_mismatch",
    "settlement_account_name_mismatch", "card_number_invalid", "uscc_invalid", "business_name_mismatch",
    "address_mismatch", "applicant_under_age", "duplicate_document", "ocr_low_confidence",
}

Documents = dict[D, bytes]
Finding = tuple[str, str | None]  # code, document type (None: the application itself)


def shanghai_today() -> date:
    # The engine's "today" is the local date of the configured time zone, not the test host's.
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def merchant(merchant_type: str, today: date, seed: int = SEED) -> SampleIdentity:
    return make_identity(seed, as_of=today, merchant_type=merchant_type)


def rendered(identity: SampleIdentity, *types: D) -> Documents:
    return {t: encode_jpeg(render(t, identity, seed=SEED)) for t in types}


def typed_differently(name: str) -> str:
    """A near-homophone the applicant typed instead of the name on the card."""
    return name[:-1] + ("亮" if name[-1] != "亮" else "良")


def small_micro_with_fixable_findings(today: date) -> tuple[dict, Documents]:
    identity = variants.with_card_expiring(merchant("small_micro", today), days_left=30)
    identity = variants.with_stale_address_proof(variants.other_premises(identity, SEED), days_old=120)
    identity = identity.model_copy(update={"card_number": variants.foreign_card_number(SEED)})
    payload = application_payload(identity)  # settlement number: the foreign card, holder: the name on the card
    payload["legal_name"] = typed_differently(identity.name)
    payload["id_number"] = variants.someone_elses_id_number(identity)
    documents = rendered(identity, *DOCUMENTS_BY_TYPE["small_micro"])
    documents[D.INTERIOR_PHOTO] = documents[D.STOREFRONT_PHOTO]  # the same photo sent twice
    return payload, documents


def sole_trader_with_bad_photos_and_documents(today: date) -> tuple[dict, Documents]:
    identity = variants.with_card_expiring(merchant("sole_trader", today), days_left=-30)
    someone_else = merchant("sole_trader", today, seed=SEED + 1)
    licence = identity.model_copy(update={"business_name": someone_else.business_name})
    # The card printed with a number no genuine card carries (its check digit is wrong); the
    # application has the applicant's real number.
    forged = identity.model_copy(update={"id_number": variants.with_wrong_check_char(identity.id_number)})
    documents = rendered(identity, D.ID_CARD_BACK)
    documents[D.ID_CARD_FRONT] = encode_jpeg(render(D.ID_CARD_FRONT, forged, seed=SEED))
    documents[D.BUSINESS_LICENSE] = encode_jpeg(render(D.BUSINESS_LICENSE, licence, seed=SEED))
    # A sharp photo with no card number on it: the shop front sent as the bank card. (A blank page
    # would not do: it has no edges at all, and "blurry" explains away "unreadable".)
    documents[D.BANK_CARD] = encode_jpeg(render(D.STOREFRONT_PHOTO, identity, seed=SEED + 1))
    documents[D.STOREFRONT_PHOTO] = encode_jpeg(variants.shrunk(render(D.STOREFRONT_PHOTO, identity, seed=SEED),
                                                                width=480))
    documents[D.INTERIOR_PHOTO] = encode_jpeg(variants.blurred(render(D.INTERIOR_PHOTO, identity, seed=SEED)))
    return application_payload(identity), documents


def with_card_failing_luhn(today: date) -> SampleIdentity:
    identity = merchant("small_micro", today)
    return identity.model_copy(update={"card_number": variants.with_failing_luhn(identity.card_number)})


def doubtful_reads_of_invalid_numbers(today: date) -> tuple[dict, Documents]:
    """A licence whose credit code fails its check character, photographed so that OCR's passes do not
    agree on it: what it says is for staff to judge, and a UnionPay card failing Luhn beside it is a
    staff warning. Read by the tesseract engine (see CASES): rapidocr reads this photo clearly, and then
    the code is the merchant's to fix (test_licence_whose_credit_code_fails_…)."""
    identity = with_card_failing_luhn(today)
    identity = identity.model_copy(update={"uscc": variants.with_wrong_check_char(identity.uscc)})
    kept = [t for t in DOCUMENTS_BY_TYPE["small_micro"] if t != D.ADDRESS_PROOF]  # the licence proves the address
    documents = rendered(identity, *kept)
    documents[D.BUSINESS_LICENSE] = encode_jpeg(render(D.BUSINESS_LICENSE, identity, level="photo", seed=SEED + 1))
    return application_payload(identity), documents


def clear_card_failing_luhn_and_swapped_id_sides(today: date) -> tuple[dict, Documents]:
    identity = with_card_failing_luhn(today)
    documents = rendered(identity, *DOCUMENTS_BY_TYPE["small_micro"])
    documents[D.BANK_CARD] = encode_jpeg(render(D.BANK_CARD, identity, seed=SEED + 1))  # a capture read clearly
    documents[D.ID_CARD_FRONT], documents[D.ID_CARD_BACK] = documents[D.ID_CARD_BACK], documents[D.ID_CARD_FRONT]
    return application_payload(identity), documents


def sixteen_year_old_with_a_licence_as_id_back(today: date) -> tuple[dict, Documents]:
    identity = variants.aged(merchant("small_micro", today), years=16)
    documents = rendered(identity, D.ID_CARD_FRONT)
    documents[D.ID_CARD_BACK] = encode_jpeg(render(D.BUSINESS_LICENSE, identity, seed=SEED))  # no ID card at all
    return application_payload(identity), documents


def id_number_born_in_the_future(today: date) -> tuple[dict, Documents]:
    identity = variants.born_in_the_future(merchant("small_micro", today))
    return application_payload(identity), rendered(identity, D.ID_CARD_FRONT)


@dataclass(frozen=True)
class Case:
    build: Callable[[date], tuple[dict, Documents]]
    outcome: str
    findings: frozenset[Finding]
    warnings: frozenset[Finding] = field(default_factory=frozenset)
    settings: dict[str, str] = field(default_factory=dict)


CASES = {
    "merchant_fixable_findings_ask_for_documents": Case(
        build=small_micro_with_fixable_findings, outcome="needs_documents",
        findings=frozenset({
            ("name_mismatch", "id_card_front"), ("id_number_mismatch", "id_card_front"),
            ("document_expiring_soon", "id_card_back"), ("card_number_invalid", "bank_card"),
            ("settlement_account_name_mismatch", "bank_card"), ("address_mismatch", "address_proof"),
            ("address_proof_too_old", "address_proof"), ("duplicate_document", "interior_photo"),
        })),
    "bad_photos_and_wrong_documents_ask_for_documents": Case(
        build=sole_trader_with_bad_photos_and_documents, outcome="needs_documents",
        findings=frozenset({
            ("id_number_invalid", "id_card_front"), ("document_expired", "id_card_back"),
            ("document_unreadable", "bank_card"), ("business_name_mismatch", "business_license"),
            ("document_too_small", "storefront_photo"), ("document_blurry", "interior_photo"),
        })),
    "doubtful_reads_go_to_staff": Case(
        build=doubtful_reads_of_invalid_numbers, outcome="manual_review",
        findings=frozenset({("ocr_low_confidence", "business_license")}),
        warnings=frozenset({("card_number_luhn_failed", "bank_card")}),
        settings={"ONBOARD_OCR_ENGINE": "tesseract"}),
    # A UnionPay card failing Luhn is a staff warning, not a merchant deficiency, however clearly it reads.
    "clear_unionpay_card_failing_luhn_and_swapped_id_sides_are_approved": Case(
        build=clear_card_failing_luhn_and_swapped_id_sides, outcome="approved", findings=frozenset(),
        warnings=frozenset({("card_number_luhn_failed", "bank_card"), ("id_card_sides_swapped", "id_card_front")})),
    "under_age_applicant_is_rejected": Case(
        build=sixteen_year_old_with_a_licence_as_id_back, outcome="rejected",
        findings=frozenset({("applicant_under_age", None), ("document_type_mismatch", "id_card_back"),
                            ("document_missing", "bank_card"), ("document_missing", "interior_photo")})),
    "id_number_with_future_birth_date_is_rejected": Case(
        build=id_number_born_in_the_future, outcome="rejected",
        findings=frozenset({("id_number_invalid", None), ("document_missing_back", "id_card_back")})),
}


def write_application(folder: Path, payload: dict, documents: Documents) -> list[str]:
    folder.mkdir(parents=True)
    (folder / "application.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    args = [str(folder / "application.json")]
    for document_type, data in documents.items():
        (folder / f"{document_type}.jpg").write_bytes(data)
        args += ["--doc", f"{document_type}={folder / f'{document_type}.jpg'}"]
    return args


def findings(items: list[dict]) -> set[Finding]:
    return {(d["code"], d.get("document_type")) for d in items}


@pytest.mark.parametrize("name", sorted(CASES))
def test_submitted_application_carries_its_deficiency_codes(name, onboard, tmp_path):
    case = CASES[name]
    payload, documents = case.build(shanghai_today())
    result = onboard("submit", *write_application(tmp_path / name, payload, documents), "--wait", "--json",
                     settings=case.settings)
    assert result.exit_code == 0, result.stderr
    view = result.json()

    assert case.findings <= findings(view["deficiencies"]), view["deficiencies"]
    assert case.warnings <= findings(view["warnings"]), view["warnings"]
    if case.outcome == "approved":
        assert view["deficiencies"] == []
    assert view["state"] == case.outcome, view["deficiencies"]
    assert all(d["message_zh"] and d["message_en"] for d in view["deficiencies"])
    if case.outcome == "manual_review":  # staff's business: the merchant is not asked for anything
        assert view["requests"] == [] and not any(d["merchant_fixable"] for d in view["deficiencies"])
    if case.outcome == "needs_documents":
        asked = {item["code"] for item in view["request"]["items"]}
        assert asked == {d["code"] for d in view["deficiencies"] if d["merchant_fixable"]}
        assert "ocr_low_confidence" not in asked


def submit_sample(onboard, folder: Path, merchant_type: str, scenario: str) -> dict:
    sample = sample_application(SEED, merchant_type, scenario, as_of=shanghai_today())
    result = onboard("submit", *write_application(folder, sample.payload, sample.documents), "--wait", "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_licence_whose_credit_code_fails_its_check_character_asks_for_the_genuine_licence(onboard, tmp_path):
    view = submit_sample(onboard, tmp_path / "licence", "sole_trader", "invalid_uscc")
    assert view["state"] == "needs_documents", view["deficiencies"]
    (item,) = view["deficiencies"]
    assert (item["code"], item["document_type"], item["merchant_fixable"]) == ("uscc_invalid", "business_license", True)
    code = item["evidence"]["uscc"]
    printed = make_identity(SEED, as_of=shanghai_today(), merchant_type="sole_trader").uscc
    assert code == variants.with_wrong_check_char(printed)  # what the licence says, read character for character
    assert item["evidence"]["reason"] == f"check character is {code[-1]}, GB 32100 gives {printed[-1]}"
    assert code in item["message_zh"] and "原件" in item["message_zh"] and "genuine" in item["message_en"]
    assert "possible forgery" in item["staff_note"]
    assert [i["code"] for i in view["request"]["items"]] == ["uscc_invalid"]


def test_front_photographed_twice_asks_for_the_back(onboard, tmp_path):
    view = submit_sample(onboard, tmp_path / "front-twice", "small_micro", "front_twice")
    assert view["state"] == "needs_documents", view["deficiencies"]
    (item,) = view["deficiencies"]
    assert (item["code"], item["document_type"]) == ("document_missing_back", "id_card_back")
    assert "两次" in item["message_zh"] and "签发机关" in item["message_zh"] and "有效期限" in item["message_zh"]
    assert "front (人像面) of your ID card twice" in item["message_en"]


def truncated_jpeg() -> bytes:
    data = encode_jpeg(render(D.ID_CARD_FRONT, merchant("small_micro", shanghai_today()), seed=SEED))
    return data[: len(data) // 2]  # an upload cut off half way


def gif_of_the_card() -> bytes:
    buffer = io.BytesIO()
    render(D.ID_CARD_FRONT, merchant("small_micro", shanghai_today()), seed=SEED).save(buffer, "GIF")
    return buffer.getvalue()


INTAKE_REFUSALS: dict[str, Callable[[], bytes]] = {
    "document_corrupt": truncated_jpeg,
    "document_type_mismatch": gif_of_the_card,
}


def test_intake_refuses_corrupt_and_unsupported_files_at_submit_naming_the_code(onboard, tmp_path):
    identity = merchant("small_micro", shanghai_today())
    documents = rendered(identity, D.ID_CARD_BACK)
    for code, make_file in INTAKE_REFUSALS.items():
        args = write_application(tmp_path / code, application_payload(identity), documents)
        bad_file = tmp_path / code / "front.jpg"
        bad_file.write_bytes(make_file())
        result = onboard("submit", *args, "--doc", f"id_card_front={bad_file}", "--wait", "--json")
        assert result.exit_code == 2 and result.stdout == "", (code, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and code in lines[0] and "id_card_front" in lines[0], result.stderr
    assert onboard("status", "--json").json() == []


# Produced by the two tests above, which check a code's message and evidence in detail.
PRODUCED_BY_SAMPLE_SCENARIOS = {"uscc_invalid", "document_missing_back"}


def test_every_domain_code_is_produced_here():
    produced = {code for case in CASES.values() for code, _ in case.findings} | PRODUCED_BY_SAMPLE_SCENARIOS
    assert DOMAIN_CODES - produced - set(INTAKE_REFUSALS) == set()
