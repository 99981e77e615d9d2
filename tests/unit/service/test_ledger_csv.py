"""Transaction CSV rows: what is accepted, and the reason given for each kind of bad row."""
from datetime import datetime, timezone

import pytest

from onboarding.service import ledger_csv
from onboarding.service.deposit_notices import yuan

HEADER = "txn_id,terminal_sn,occurred_at,amount_fen,kind,channel\n"
IMPORTED_AT = datetime(2026, 1, 8, 2, 0, tzinfo=timezone.utc)
LIMITS = {"max_fen": 100_000_000, "not_after": IMPORTED_AT}


def parse(text: str):
    return [(line, fields if isinstance(fields, str) else ledger_csv.transaction(fields, **LIMITS))
            for line, fields in ledger_csv.rows(text.encode(), ledger_csv.TRANSACTION_COLUMNS)]


def test_a_good_row_becomes_utc_and_integer_fen():
    [(line, row)] = parse(HEADER + "T1,SN1,2026-01-07T10:00:00+08:00,1999,sale,card_chip\n")
    assert line == 2
    assert row["occurred_at"] == datetime(2026, 1, 7, 2, 0, tzinfo=timezone.utc)
    assert row["amount_fen"] == 1999 and isinstance(row["amount_fen"], int)


def test_a_byte_order_mark_and_blank_lines_are_fine():
    assert [line for line, _ in parse("\ufeff" + HEADER + "\nT1,SN1,2026-01-07T10:00:00Z,1,sale,qr\n\n")] == [3]


@pytest.mark.parametrize(("row", "reason"), [
    ("T1,SN1,2026-01-07T10:00:00,100,sale,card_chip", "has no UTC offset"),
    ("T1,SN1,07/01/2026,100,sale,card_chip", "not an ISO 8601 date-time"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,12.50,sale,card_chip", "not a positive whole number of fen"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,0,sale,card_chip", "not a positive whole number of fen"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,-5,sale,card_chip", "not a positive whole number of fen"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,1e3,sale,card_chip", "not a positive whole number of fen"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,100,chargeback,card_chip", "kind: 'chargeback' is not one of"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,100,sale,cash", "channel: 'cash' is not one of"),
    (",SN1,2026-01-07T10:00:00+08:00,100,sale,card_chip", "txn_id: must be 1 to 64 characters"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,100,sale", "expected 6 fields, found 5"),
    # the hostile ones: each used to reach the database (or print a traceback)
    ("T\x001,SN1,2026-01-07T10:00:00+08:00,100,sale,card_chip", "txn_id: 'T\\x001' contains a control"),
    ("T\u200b1,SN1,2026-01-07T10:00:00+08:00,100,sale,card_chip", "contains a control or invisible character"),
    ("T1,S\x00N1,2026-01-07T10:00:00+08:00,100,sale,card_chip", "terminal_sn: 'S\\x00N1' is not a serial number"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,9223372036854775807,sale,card_chip",
     "amount_fen: '9223372036854775807' is above the per-transaction ceiling of 100000000 fen"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,100000001,sale,card_chip", "above the per-transaction ceiling"),
    ("T1,SN1,2026-01-07T10:00:00+08:00," + "9" * 5000 + ",sale,card_chip", "above the per-transaction ceiling"),
    ("T1,SN1,2026-01-07T10:00:00+08:00,000,sale,card_chip", "not a positive whole number of fen"),
    ("T1,SN1,2099-01-07T10:00:00+08:00,100,sale,card_chip", "'2099-01-07T10:00:00+08:00' is in the future"),
    ("T1,SN1,2026-01-08T03:00:01+01:00,100,sale,card_chip", "is in the future (later than 2026-01-08T02:00:00+00:00"),
    ("T1,SN1,0001-01-01T00:00:00+08:00,100,sale,card_chip", "'0001-01-01T00:00:00+08:00' is out of range"),
])
def test_a_bad_row_is_reported_with_its_line(row, reason):
    [(line, problem)] = parse(HEADER + row + "\n")
    assert line == 2
    assert reason in problem


def test_a_row_dated_exactly_at_the_allowed_skew_and_the_ceiling_itself_are_fine():
    [(_, row)] = parse(HEADER + "T1,SN1,2026-01-08T02:00:00+00:00,100000000,sale,card_chip\n")
    assert (row["occurred_at"], row["amount_fen"]) == (IMPORTED_AT, 100_000_000)


def test_a_wrong_header_is_one_problem_on_line_1():
    expected = "header must be txn_id,terminal_sn,occurred_at,amount_fen,kind,channel"
    assert parse("id,sn,when,amount,kind,channel\nT1,SN1,x,1,sale,qr\n") == [(1, expected)]


def test_bytes_that_are_not_utf8_name_their_line():
    data = (HEADER + "T1,SN1,2026-01-07T10:00:00+08:00,1,sale,qr\n").encode() + b"T2,\xff\xfe,x\n"
    assert list(ledger_csv.rows(data, ledger_csv.TRANSACTION_COLUMNS)) == [(3, "not UTF-8 (invalid start byte)")]


def test_a_rejected_batch_says_which_lines_in_one_line():
    error = ledger_csv.BatchRejected("batch.csv", [(9, "b"), (3, "a")] + [(20 + i, "x") for i in range(6)], total=8)
    assert error.lines[:2] == [3, 9]
    assert str(error) == ("batch.csv: rejected, nothing imported: line 3: a; line 9: b; line 20: x; line 21: x; "
                          "line 22: x (and 3 more)")


@pytest.mark.parametrize(("fen", "shown"),
                         [(9900, "¥99.00"), (1_000_000, "¥10,000.00"), (1, "¥0.01"), (-250, "-¥2.50")])
def test_fen_are_shown_as_yuan_without_floats(fen, shown):
    assert yuan(fen) == shown
