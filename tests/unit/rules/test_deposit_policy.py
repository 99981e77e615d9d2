"""deposits.yaml: the packaged policies load; a broken file is refused with its name, line and reason."""
from pathlib import Path

import pytest

from rules.deposit_policy import UnknownDeviceModel, load_deposit_policies
from rules.ruleset import RulesFileError, default_rules_dir

PACKAGED = (default_rules_dir() / "deposits.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "deposits.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_packaged_policies_cover_the_default_models():
    policies = load_deposit_policies()
    assert policies.models == ["P2", "P8", "Q1"]
    assert policies.version_label.startswith("2026.11.1+")
    assert "qr" in policies.for_model("Q1").qualifying_channels
    assert "qr" not in policies.for_model("P2").qualifying_channels
    assert "void" in policies.for_model("P2").subtracting_kinds


def test_an_unknown_model_is_named_with_the_known_ones():
    with pytest.raises(UnknownDeviceModel, match=r"'X9' \(known: P2, P8, Q1\)"):
        load_deposit_policies().for_model("X9")


@pytest.mark.parametrize(("edit", "line", "reason"), [
    (("amount_fen: 9900 ", "amount_fen: 99.0 "), 10, "models.P2.amount_fen: Input should be a valid integer"),
    (("threshold_fen: 1000000", 'threshold_fen: "1000000"'), 11, "models.P2.threshold_fen"),
    (("window_days: 60 ", "window_days: 0 "), 12, "greater than or equal to 1"),
    (("qualifying_channels: [card_swipe, card_chip, card_contactless]", "qualifying_channels: [card, qr]"), 18,
     "models.P2.qualifying_channels"),
    (("    dormant_months: 12 ", "    dormant_month: 12 "), 9, "models.P2.dormant_months: Field required (and 1 more)"),
    (("qualifying_kinds: [sale]", "qualifying_kinds: [sale, void]"), 9, "cannot both add to and subtract"),
])
def test_a_bad_policy_names_file_line_and_reason(tmp_path, edit, line, reason):
    old, new = edit
    assert old in PACKAGED
    directory = write(tmp_path, PACKAGED.replace(old, new, 1))
    with pytest.raises(RulesFileError) as caught:
        load_deposit_policies(directory)
    assert caught.value.path.name == "deposits.yaml"
    assert caught.value.line == line
    assert reason in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(RulesFileError, match="deposits.yaml: file not found"):
        load_deposit_policies(tmp_path)
