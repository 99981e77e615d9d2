"""Every deficiency code DOMAIN.md lists, produced through the real CLI from rendered documents.

Each submit costs seconds of OCR, so codes that can share an application do: one application
per outcome carries every finding that leads to that outcome. Intake codes are refusals at
submit (exit 2), not findings. Only the expected codes are asserted; OCR may add by-products
(a card number failing Luhn is also read with low confidence).
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
from documents.samples.applications import DOCUMENTS_BY_TYPE, application_payload, encode_jpeg
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
NOT_PRODUCED = {
    # Nothing classifies which side of an ID card a photo shows.
    "document_missing_back": "no side classifier",
    # The licence extractor trusts only credit codes whose check character holds; a printed invalid
    # code comes out at confidence <= 0.4, below min_field_confidence, so staff get ocr_low_confidence.
    "uscc_invalid": "an invalid printed USCC is read at low confidence: ocr_low_confidence instead",
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


def sole_trader_with_bad_photos_and_licence(today: date) -> tuple[dict, Documents]:
    identity = variants.with_card_expiring(merchant("sole_trader", today), days_left=-30)
    identity = identity.model_copy(update={"uscc": variants.with_wrong_check_char(identity.uscc)})
    someone_else = merchant("sole_trader", today, seed=SEED + 1)
    licence = identity.model_copy(update={"business_name": someone_else.business_name})
    documents = rendered(identity, D.ID_CARD_FRONT, D.ID_CARD_BACK)
    documents[D.BUSINESS_LICENSE] = encode_jpeg(render(D.BUSINESS_LICENSE, licence, seed=SEED))
    # A sharp photo with no card number on it: the shop front sent as the bank card. (A blank page
    # would not do: it has no edges at all, and "blurry" explains away "unreadable".)
    documents[D.BANK_CARD] = encode_jpeg(render(D.STOREFRONT_PHOTO, identity, seed=SEED + 1))
    documents[D.STOREFRONT_PHOTO] = encode_jpeg(variants.shrunk(render(D.STOREFRONT_PHOTO, identity, seed=SEED),
                                                                width=480))
    documents[D.INTERIOR_PHOTO] = encode_jpeg(variants.blurred(render(D.INTERIOR_PHOTO, identity, seed=SEED)))
    return application_payload(identity), documents


def small_micro_with_unionpay_card_failing_luhn(today: date) -> tuple[dict, Documents]:
    identity = merchant("small_micro", today)
    identity = identity.model_copy(update={"card_number": variants.with_failing_luhn(identity.card_number)})
    return application_payload(identity), rendered(identity, *DOCUMENTS_BY_TYPE["small_micro"])


def sixteen_year_old(today: date) -> tuple[dict, Documents]:
    identity = variants.aged(merchant("small_micro", today), years=16)
    return application_payload(identity), rendered(identity, D.ID_CARD_FRONT, D.ID_CARD_BACK)


def id_number_born_in_the_future(today: date) -> tuple[dict, Documents]:
    identity = variants.born_in_the_future(merchant("small_micro", today))
    return application_payload(identity), rendered(identity, D.ID_CARD_FRONT)


@dataclass(frozen=True)
class Case:
    build: Callable[[date], tuple[dict, Documents]]
    outcome: str
    findings: frozenset[Finding]
    warnings: frozenset[Finding] = field(default_factory=frozenset)


CASES = {
    "merchant_fixable_findings_ask_for_documents": Case(
        build=small_micro_with_fixable_findings, outcome="needs_documents",
        findings=frozenset({
            ("name_mismatch", "id_card_front"), ("id_number_mismatch", "id_card_front"),
            ("document_expiring_soon", "id_card_back"), ("card_number_invalid", "bank_card"),
            ("settlement_account_name_mismatch", "bank_card"), ("address_mismatch", "address_proof"),
            ("address_proof_too_old", "address_proof"), ("duplicate_document", "interior_photo"),
        })),
    "bad_photos_and_a_foreign_licence_ask_for_documents": Case(
        build=sole_trader_with_bad_photos_and_licence, outcome="needs_documents",
        findings=frozenset({
            ("document_expired", "id_card_back"), ("document_unreadable", "bank_card"),
            ("business_name_mismatch", "business_license"),
            ("ocr_low_confidence", "business_license"),  # the invalid credit code, see NOT_PRODUCED
            ("document_too_small", "storefront_photo"), ("document_blurry", "interior_photo"),
        })),
    "low_ocr_confidence_goes_to_staff": Case(
        build=small_micro_with_unionpay_card_failing_luhn, outcome="manual_review",
        findings=frozenset({("ocr_low_confidence", "bank_card")}),
        warnings=frozenset({("card_number_luhn_failed", "bank_card")})),
    "under_age_applicant_is_rejected": Case(
        build=sixteen_year_old, outcome="rejected",
        findings=frozenset({("applicant_under_age", None), ("document_missing", "bank_card"),
                            ("document_missing", "interior_photo")})),
    "id_number_with_future_birth_date_is_rejected": Case(
        build=id_number_born_in_the_future, outcome="rejected",
        findings=frozenset({("id_number_invalid", None)})),
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
    result = onboard("submit", *write_application(tmp_path / name, payload, documents), "--wait", "--json")
    assert result.exit_code == 0, result.stderr
    view = result.json()

    assert case.findings <= findings(view["deficiencies"]), view["deficiencies"]
    assert case.warnings <= findings(view["warnings"]), view["warnings"]
    assert view["state"] == case.outcome, view["deficiencies"]
    assert all(d["message_zh"] and d["message_en"] for d in view["deficiencies"])
    if case.outcome == "manual_review":  # staff's business: the merchant is not asked for anything
        assert view["requests"] == [] and not any(d["merchant_fixable"] for d in view["deficiencies"])
    if case.outcome == "needs_documents":
        asked = {item["code"] for item in view["request"]["items"]}
        assert asked == {d["code"] for d in view["deficiencies"] if d["merchant_fixable"]}
        assert "ocr_low_confidence" not in asked


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


def test_every_domain_code_is_produced_here_or_explained():
    produced = {code for case in CASES.values() for code, _ in case.findings}
    assert DOMAIN_CODES - produced - set(INTAKE_REFUSALS) == set(NOT_PRODUCED)
