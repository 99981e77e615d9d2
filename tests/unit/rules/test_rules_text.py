from datetime import date

import pytest

from rules.text import add_years, age_on, is_long_term, mask_identifier, parse_document_date, same_name, to_half_width


@pytest.mark.parametrize("a, b, same", [
    ("王昌良", "王昌良", True),
    ("王 昌 良", "王昌良", True),
    ("王昌良\u3000", "王昌良", True),
    ("ＡＢＣ（中国）有限公司", "ABC(中国)有限公司", True),
    ("Wang Changliang", "WANG CHANGLIANG", True),
    ("王昌亮", "王昌良", False),
    ("", "", False),
    (None, "王昌良", False),
    ("   ", "   ", False),
])
def test_same_name(a, b, same):
    assert same_name(a, b) is same
    assert same_name(b, a) is same


def test_to_half_width():
    assert to_half_width("１２３ＡＢ，\u3000x") == "123AB, x"


@pytest.mark.parametrize("text, expected", [
    ("2024-03-01", date(2024, 3, 1)),
    ("2024.03.01", date(2024, 3, 1)),
    ("2024年3月1日", date(2024, 3, 1)),
    ("２０２４－０３－０１", date(2024, 3, 1)),
    ("2024-02-30", None),
    ("长期", None),
    ("", None),
    (None, None),
])
def test_parse_document_date(text, expected):
    assert parse_document_date(text) == expected


def test_long_term():
    assert is_long_term("长期") and is_long_term(" 长期 ") and not is_long_term("2030-01-01")


def test_age_counts_completed_years():
    assert age_on(date(2008, 3, 2), date(2026, 3, 1)) == 17
    assert age_on(date(2008, 3, 1), date(2026, 3, 1)) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17


def test_add_years_from_leap_day():
    assert add_years(date(2008, 2, 29), 10) == date(2018, 2, 28)


def test_mask():
    assert mask_identifier("440781197506032481") == "4407**********2481"
    assert mask_identifier("1234") == "****"
