import pytest

from documents.types import DocumentType as D
from rules.checks.address import (
    address_match_score, check_address_match, check_address_proof_age, normalise_address,
)
from rules_facts import ADDRESS, clean, codes, context, ruleset, with_fields

PROOF = D.ADDRESS_PROOF

AGE_CASES = [
    pytest.param("2026-01-15", [], id="recent"),
    pytest.param("2025-12-01", [], id="exactly-90-days"),
    pytest.param("2025-11-30", ["address_proof_too_old"], id="91-days"),
    pytest.param("2024-06-01", ["address_proof_too_old"], id="old"),
    pytest.param("2025年11月1日", ["address_proof_too_old"], id="printed-date"),
]


@pytest.mark.parametrize("issue_date, expected", AGE_CASES)
def test_address_proof_age(issue_date, expected):
    found = check_address_proof_age(context(with_fields(clean(), PROOF, issue_date=issue_date)))
    assert codes(found) == expected


def test_too_old_evidence():
    (found,) = check_address_proof_age(context(with_fields(clean(), PROOF, issue_date="2025-11-30")))
    assert found.evidence == {"issue_date": "2025-11-30", "age_days": 91, "max_age_days": 90}
    assert "2025-11-30" in found.message_zh and "90" in found.message_en


MATCH_CASES = [
    pytest.param(ADDRESS, [], id="identical"),
    pytest.param("广东 江门 台山 北陡镇 沙咀村 12 号", [], id="no-suffix-words-spaces"),
    pytest.param("广东省江门市台山市北陡镇沙咀村１２号", [], id="full-width-digits"),
    pytest.param("江门市台山市北陡镇沙咀村12号", [], id="province-omitted"),
    pytest.param("台山市北陡镇沙咀村12号", [], id="province-and-city-omitted"),
    pytest.param("广东省江门市台山市北陡镇沙咀村15号", ["address_mismatch"], id="other-house-number"),
    pytest.param("广东省广州市天河区体育西路191号", ["address_mismatch"], id="elsewhere"),
    pytest.param("12号", ["address_mismatch"], id="house-number-only"),
]


@pytest.mark.parametrize("on_proof, expected", MATCH_CASES)
def test_address_match(on_proof, expected):
    found = check_address_match(context(with_fields(clean(), PROOF, address=on_proof)))
    assert codes(found) == expected


def test_mismatch_shows_score_and_threshold():
    facts = with_fields(clean(), PROOF, address="广东省广州市天河区体育西路191号")
    (found,) = check_address_match(context(facts))
    assert 0 <= found.evidence["score"] < found.evidence["threshold"] == 0.85
    assert str(found.evidence["score"]) in found.staff_note


def test_normalisation():
    words = ruleset().policy.address.ignore_words
    assert normalise_address("广西壮族自治区 南宁市　青秀区（民族大道）１号", words) == "广西壮族南宁青秀民族大道1号"


def test_score_is_symmetric_and_bounded():
    words = ruleset().policy.address.ignore_words
    a, b = ADDRESS, "江门台山北陡镇沙咀村12号"
    assert address_match_score(a, b, words) == address_match_score(b, a, words) == 1.0
    assert address_match_score(a, "", words) == 0.0
