"""Rule files: loading, version labels, and errors that name the file and line to fix."""
import re
import shutil
from pathlib import Path

import pytest

from rules.ruleset import CATALOGUE_FILE, POLICY_FILE, RulesFileError, default_rules_dir, load_ruleset


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    for name in (POLICY_FILE, CATALOGUE_FILE):
        shutil.copy(default_rules_dir() / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> int:
    """Replaces the one occurrence of `old`; returns the 1-based line of the first line it changed."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    old_lines, new_lines = old.split("\n"), new.split("\n")
    same = next((i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b),
                min(len(old_lines), len(new_lines)))
    return text[: text.index(old)].count("\n") + 1 + same


def load_error(directory: Path) -> RulesFileError:
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(directory)
    return caught.value


def test_packaged_rules_load():
    ruleset = load_ruleset()
    assert ruleset.version == "2026.12.5"
    assert re.fullmatch(r"2026\.12\.5\+[0-9a-f]{8}", ruleset.version_label)
    assert ruleset.thresholds.min_validity_days == 60
    assert ruleset.min_width_by_document_type()["id_card_front"] == 1000
    assert load_ruleset() is ruleset  # cached


def test_version_label_follows_content(rules_dir):
    before = load_ruleset(rules_dir).version_label
    assert before == load_ruleset().version_label
    edit(rules_dir / CATALOGUE_FILE, "请上传{alternatives}。", "请上传您的{alternatives}。")
    after = load_ruleset(rules_dir).version_label
    assert after.split("+")[0] == before.split("+")[0] and after != before


POLICY_ERRORS = [
    pytest.param("min_validity_days: 60", "min_validity_days: sixty",
                 "thresholds.min_validity_days: Input should be a valid integer", id="bad-int"),
    pytest.param("min_applicant_age: 18", "min_applicant_age: 18\n  min_aplicant_age: 18",
                 "thresholds.min_aplicant_age: Extra inputs are not permitted", id="unknown-key"),
    pytest.param("    - storefront_photo\n    - interior_photo\n  sole_trader:",
                 "    - storefront_photo\n    - interior_fhoto\n  sole_trader:",
                 "required_documents.small_micro.5: Input should be", id="bad-document-type"),
    pytest.param("    id_card_back: 1000", "    id_card_bak: 1000",
                 "thresholds.min_image_width.id_card_bak: Input should be", id="bad-document-type-key"),
    pytest.param("address_match_min_score: 0.85", "address_match_min_score: 1.5",
                 "less than or equal to 1", id="out-of-range"),
    pytest.param("    enterprise: corporate_account", "    enterprise: cheque",
                 "settlement.kind.enterprise", id="bad-literal"),
    pytest.param("min_validity_days: 60", "min_validity_days: 60: days",
                 "mapping values are not allowed here", id="yaml-syntax"),
    pytest.param("  min_blur_score: 100.0", "  min_blur_score: 100.0\n  min_blur_score: 50.0",
                 "thresholds.min_blur_score: duplicate key", id="duplicate-key"),
]


@pytest.mark.parametrize("old, new, reason", POLICY_ERRORS)
def test_policy_error_names_the_line(rules_dir, old, new, reason):
    bad_line = edit(rules_dir / POLICY_FILE, old, new)
    error = load_error(rules_dir)
    assert error.path == rules_dir / POLICY_FILE
    assert error.line == bad_line
    assert reason in error.reason
    assert f"{POLICY_FILE}:{bad_line}: " in str(error)


def test_error_str_reads_like_a_compiler_error(rules_dir):
    line = edit(rules_dir / POLICY_FILE, "min_validity_days: 60", "min_validity_days: sixty")
    assert str(load_error(rules_dir)) == (
        f"{rules_dir / POLICY_FILE}:{line}: thresholds.min_validity_days: Input should be a valid integer, "
        "unable to parse string as an integer"
    )


def test_missing_key_points_at_its_parent(rules_dir):
    line = edit(rules_dir / POLICY_FILE, "  min_applicant_age: 18\n", "")
    error = load_error(rules_dir)
    assert error.reason == "thresholds.min_applicant_age: Field required"
    assert error.line == rules_dir.joinpath(POLICY_FILE).read_text().split("\n").index("thresholds:") + 1
    assert line > error.line


def test_missing_merchant_type(rules_dir):
    text = (rules_dir / POLICY_FILE).read_text()
    start = text.index("  enterprise:\n    - id_card_front")
    end = text.index("\n\n", start)
    (rules_dir / POLICY_FILE).write_text(text[:start] + text[end + 1:])
    error = load_error(rules_dir)
    assert "required_documents" in error.reason and "enterprise" in error.reason


CATALOGUE_ERRORS = [
    pytest.param('      zh: "请上传{alternatives}。"', '      zh: "请上传{alternatives。"', "bad template",
                 id="unbalanced-brace"),
    pytest.param("  ocr_low_confidence:\n    merchant_fixable: false",
                 "  ocr_low_confidence:\n    merchant_fixable: maybe", "merchant_fixable", id="bad-bool"),
    pytest.param("    effect: reject\n    message:\n      zh: \"根据规定",
                 "    effect: refuse\n    message:\n      zh: \"根据规定", "applicant_under_age.effect", id="bad-effect"),
]


@pytest.mark.parametrize("old, new, reason", CATALOGUE_ERRORS)
def test_catalogue_error_names_the_line(rules_dir, old, new, reason):
    bad_line = edit(rules_dir / CATALOGUE_FILE, old, new)
    error = load_error(rules_dir)
    assert error.path == rules_dir / CATALOGUE_FILE
    assert error.line == bad_line
    assert reason in error.reason


def test_fixable_warning_is_refused(rules_dir):
    line = edit(rules_dir / CATALOGUE_FILE, "  card_number_luhn_failed:\n    merchant_fixable: false",
                "  card_number_luhn_failed:\n    merchant_fixable: true")
    error = load_error(rules_dir)
    assert error.line == line - 1  # a model-level rule points at the entry's key
    assert "cannot be merchant_fixable" in error.reason


def test_variant_routing_is_validated_like_its_code(rules_dir):
    edit(rules_dir / CATALOGUE_FILE, "      on_card:\n        merchant_fixable: true\n        effect: block",
         "      on_card:\n        merchant_fixable: true\n        effect: reject")
    error = load_error(rules_dir)
    code_line = rules_dir.joinpath(CATALOGUE_FILE).read_text().split("\n").index("  id_number_invalid:") + 1
    assert error.path == rules_dir / CATALOGUE_FILE and error.line == code_line  # a model-level rule: the code's key
    assert "variant on_card: effect reject cannot be merchant_fixable" in error.reason


def test_variant_with_an_unknown_key_names_its_line(rules_dir):
    line = edit(rules_dir / CATALOGUE_FILE, "      front_twice:\n        message:",
                "      front_twice:\n        mesage:")
    error = load_error(rules_dir)
    assert error.line == line and "variants.front_twice.mesage" in error.reason


def test_missing_label_for_a_document_type(rules_dir):
    line = edit(rules_dir / CATALOGUE_FILE, '  account_permit: {zh: "开户许可证或银行账户证明", '
                'en: "account opening permit or bank account certificate"}\n', "")
    error = load_error(rules_dir)
    lines = rules_dir.joinpath(CATALOGUE_FILE).read_text().split("\n")
    assert error.line == lines.index("document_labels:") + 1 < line
    assert "account_permit" in error.reason


@pytest.mark.parametrize("content, reason", [
    ("", "expected a mapping"), ("- a\n- b\n", "expected a mapping"),
])
def test_top_level_must_be_a_mapping(rules_dir, content, reason):
    (rules_dir / POLICY_FILE).write_text(content)
    error = load_error(rules_dir)
    assert (error.line, reason in error.reason) == (1, True)


def test_missing_file(rules_dir):
    (rules_dir / CATALOGUE_FILE).unlink()
    error = load_error(rules_dir)
    assert error.line is None and error.reason == "file not found"
    assert str(error).endswith(f"{CATALOGUE_FILE}: file not found")


def test_not_utf8(rules_dir):
    (rules_dir / POLICY_FILE).write_bytes("version: '规则'\n".encode("gb18030"))
    assert "not UTF-8" in load_error(rules_dir).reason


def test_error_path_is_relative_inside_the_working_directory(rules_dir, monkeypatch):
    monkeypatch.chdir(rules_dir.parent)
    edit(rules_dir / POLICY_FILE, "min_validity_days: 60", "min_validity_days: x")
    assert str(load_error(rules_dir)).startswith(f"{rules_dir.name}/{POLICY_FILE}:")
