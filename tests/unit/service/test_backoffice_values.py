"""Pure helpers of the back office: spreadsheet-safe cells, safe redirects, deposit projections, masked texts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from onboarding.backoffice.pages import safe_next
from onboarding.domain.terminals import Deposit, DepositState
from onboarding.masking import mask_in_text as mask_known
from onboarding.service.ledger_views import deposit_projection
from onboarding.service.queue import spreadsheet_safe

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("cell, shown", [("=1+1", "'=1+1"), ("+86", "'+86"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
                                         ("\t=x", "'\t=x"), ("台山小吃", "台山小吃"), (None, ""), (12.5, "12.5")])
def test_cells_that_look_like_formulas_are_text(cell, shown):
    assert spreadsheet_safe(cell) == shown


@pytest.mark.parametrize("target, kept", [("/applications/APP-1", True), ("//evil.example", False),
                                          ("https://evil.example", False), ("/\\evil.example", False),
                                          ("", False), (None, False), ("/a\nSet-Cookie: x", False)])
def test_only_our_own_paths_are_followed_after_login(target, kept):
    assert safe_next(target) == (target if kept else "/")


def deposit(**changes) -> Deposit:
    base = dict(application_id="APP-1", terminal_sn="SN1", amount_fen=9900, threshold_fen=1_000_000, window_days=60,
                policy_version="p", taken_at=NOW - timedelta(days=20), window_starts_at=NOW - timedelta(days=10),
                deadline=NOW + timedelta(days=50), qualifying_volume_fen=300_000)
    return Deposit(**{**base, **changes})


def test_a_deposit_is_projected_at_its_pace_so_far():
    assert deposit_projection(deposit(), NOW)["outcome"] == "on_track"  # 300k in 10 days → 1.8M in 60
    slow = deposit_projection(deposit(qualifying_volume_fen=50_000), NOW)
    assert slow["outcome"] == "at_risk" and slow["remaining_fen"] == 950_000 and slow["days_left"] == 50
    assert deposit_projection(deposit(window_starts_at=None, deadline=None), NOW)["outcome"] == "waiting_for_activation"
    assert deposit_projection(deposit(qualifying_volume_fen=1_000_000), NOW)["outcome"] == "refund_due"
    assert deposit_projection(deposit(deadline=NOW), NOW)["outcome"] == "forfeit_due"
    assert deposit_projection(deposit(state=DepositState.REFUNDED), NOW)["outcome"] == "refunded"


def test_known_values_are_masked_in_free_text_longest_first():
    known = {"王昌良": "王*良", "440781197506032481": "4407**********2481", "王昌": "王*"}
    text = "ID card front name reads “王昌良”, number 440781197506032481"
    assert mask_known(text, known) == "ID card front name reads “王*良”, number 4407**********2481"
