from datetime import date

import pytest

from documents.types import DocumentType as D
from rules.checks.validity import check_id_validity, check_validity_period
from rules_facts import clean, codes, context, id_number, with_app, with_fields

BACK = D.ID_CARD_BACK

EXPIRY_CASES = [
    pytest.param("2035-08-01", [], id="valid"),
    pytest.param("长期", [], id="long-term"),
    pytest.param("2026-02-28", ["document_expired"], id="expired-yesterday"),
    pytest.param("2026-03-01", ["document_expiring_soon"], id="expires-today"),
    pytest.param("2026-04-29", ["document_expiring_soon"], id="59-days-left"),
    pytest.param("2026-04-30", [], id="60-days-left"),
    pytest.param("2024.03.01", ["document_expired"], id="dotted-date"),
    pytest.param("not a date", [], id="garbled-is-unreadable-not-expired"),
]


@pytest.mark.parametrize("valid_until, expected", EXPIRY_CASES)
def test_id_expiry(valid_until, expected):
    found = check_id_validity(context(with_fields(clean(), BACK, valid_until=valid_until)))
    assert codes(found) == expected


def test_expired_message_names_the_date():
    (found,) = check_id_validity(context(with_fields(clean(), BACK, valid_until="2024-03-01")))
    assert found.message_zh == "您的身份证已于2024-03-01过期，请上传新的身份证（正反面）。"
    assert found.message_en == "Your ID card expired on 2024-03-01; please upload your new card, front and back."
    assert found.merchant_fixable


def test_expiring_soon_says_how_many_days():
    (found,) = check_id_validity(context(with_fields(clean(), BACK, valid_until="2026-03-31")))
    assert found.evidence == {"valid_until": "2026-03-31", "days_left": 30, "min_days": 60}
    assert "30" in found.message_zh and "60" in found.message_en


# Applicant born 1975-06-03 unless the case says otherwise.
PERIOD_CASES = [
    pytest.param("19750603", "2015-08-01", "2035-08-01", [], id="age-40-20y"),
    pytest.param("19750603", "2015-08-01", "2025-08-01", ["id_validity_period_inconsistent"], id="age-40-10y"),
    pytest.param("19750603", "2005-08-01", "2025-08-01", [], id="age-30-20y"),
    pytest.param("19750603", "2022-08-01", "长期", [], id="age-47-long-term"),
    pytest.param("19750603", "2022-08-01", "2042-08-01", ["id_validity_period_inconsistent"], id="age-47-20y"),
    pytest.param("19750603", "2015-08-01", "长期", ["id_validity_period_inconsistent"], id="age-40-long-term"),
    pytest.param("20000101", "2018-05-01", "2028-05-01", [], id="age-18-10y"),
    pytest.param("20000101", "2014-05-01", "2019-05-01", [], id="age-14-5y"),
    pytest.param("20000101", "2014-05-01", "2024-05-01", ["id_validity_period_inconsistent"], id="age-14-10y"),
    pytest.param("20000101", "2025-12-31", "2035-12-31", [], id="age-25-10y"),
    pytest.param("20000101", "2026-01-01", "2046-01-01", [], id="age-26-20y"),
]


@pytest.mark.parametrize("birth, valid_from, valid_until, expected", PERIOD_CASES)
def test_validity_period_matches_age_at_issue(birth, valid_from, valid_until, expected):
    facts = with_app(clean(), id_number=id_number(birth=birth))
    facts = with_fields(facts, BACK, valid_from=valid_from, valid_until=valid_until)
    found = check_validity_period(context(facts, today=date(2026, 3, 1)))
    assert codes(found) == expected


def test_period_warning_explains_itself_to_staff():
    facts = with_fields(clean(), BACK, valid_from="2015-08-01", valid_until="2025-08-01")
    (found,) = check_validity_period(context(facts))
    assert found.evidence["age_at_issue"] == 40
    assert "20 years" in found.staff_note and "age 40" in found.staff_note
    assert not found.merchant_fixable
