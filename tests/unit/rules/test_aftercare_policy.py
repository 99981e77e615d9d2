"""aftercare.yaml: the packaged policy loads, service hours count only open hours, a broken file is named."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from rules.aftercare_policy import ComplaintStage, load_aftercare_policy
from rules.ruleset import RulesFileError, default_rules_dir

PACKAGED = (default_rules_dir() / "aftercare.yaml").read_text(encoding="utf-8")
CST = timezone(timedelta(hours=8))


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "aftercare.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_packaged_policy_names_who_is_called_and_the_complaint_clocks():
    policy = load_aftercare_policy()
    assert policy.version_label.startswith("2026.12.1+")
    assert policy.calls.calls("small_micro") and policy.calls.calls("sole_trader")
    assert not policy.calls.calls("enterprise")
    assert policy.calls.shipping_waits("small_micro") and not policy.calls.shipping_waits("sole_trader")
    assert policy.changes.documents_for("settlement_account", "enterprise") == ("account_permit",)
    assert policy.changes.for_field("settlement_account").staff_approval
    complaints = policy.complaints
    assert set(complaints.categories) == {"deposit", "transactions", "frozen", "activation", "documents", "other"}
    assert complaints.minutes_for(ComplaintStage.ACKNOWLEDGE, "other") == 30
    assert complaints.minutes_for(ComplaintStage.RESOLVE, "deposit") == 48 * 60
    assert complaints.minutes_for(ComplaintStage.RESOLVE, "activation") == 24 * 60


@pytest.mark.parametrize(("start", "minutes", "end"), [
    (datetime(2026, 12, 1, 10, 0, tzinfo=CST), 60, datetime(2026, 12, 1, 11, 0, tzinfo=CST)),      # Tuesday
    (datetime(2026, 12, 4, 17, 30, tzinfo=CST), 60, datetime(2026, 12, 7, 9, 30, tzinfo=CST)),     # Friday → Monday
    (datetime(2026, 12, 5, 12, 0, tzinfo=CST), 30, datetime(2026, 12, 7, 9, 30, tzinfo=CST)),      # Saturday
    (datetime(2026, 12, 1, 7, 0, tzinfo=CST), 8 * 60, datetime(2026, 12, 1, 17, 0, tzinfo=CST)),   # before opening
    (datetime(2026, 9, 30, 17, 0, tzinfo=CST), 120, datetime(2026, 10, 8, 10, 0, tzinfo=CST)),     # National Day
])
def test_service_hours_count_only_open_hours(start, minutes, end):
    assert load_aftercare_policy().clock_end(start, minutes, "business") == end


def test_calendar_hours_count_every_minute():
    start = datetime(2026, 12, 5, 23, 50, tzinfo=CST)
    assert load_aftercare_policy().clock_end(start, 30, "calendar") == start + timedelta(minutes=30)


@pytest.mark.parametrize(("old", "new", "reason"), [
    ("  due_hours: 8 ", "  due_hours: 0 ", "follow_up_calls.due_hours: Input should be greater than or equal to 1"),
    ("  shipping_waits_for: [small_micro]", "  shipping_waits_for: [enterprise]", "never called: enterprise"),
    ("    acknowledge: 30\n", "    acknowledge: 3000\n", "stages must come in order"),
    ('  end: "18:00"', '  end: "08:00"', "end must be later than start"),
    ("  hours: calendar\n", "  hours: sometimes\n", "complaints.hours"),
    ("    deposit:\n      complex: true", "    Deposit:\n      complex: true", "lower-case letters"),
])
def test_a_bad_policy_names_file_line_and_reason(tmp_path, old, new, reason):
    assert old in PACKAGED
    with pytest.raises(RulesFileError) as caught:
        load_aftercare_policy(write(tmp_path, PACKAGED.replace(old, new, 1)))
    assert caught.value.path.name == "aftercare.yaml" and caught.value.line
    assert reason in str(caught.value)
