"""Rule files through the real CLI: `rules check` names the broken line; `rules what-if` shows what a change does."""
from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from documents.samples.applications import DOCUMENTS_BY_TYPE, application_payload, encode_jpeg
from documents.samples.identity import make_identity
from documents.samples.render import render
from documents.samples.variants import with_card_expiring
from documents.types import DocumentType as D
from rules.ruleset import default_rules_dir

pytestmark = pytest.mark.e2e

VALIDITY_LINE = "  min_validity_days: 60"


def copy_rules(destination: Path, replace: tuple[str, str] | None = None) -> Path:
    shutil.copytree(default_rules_dir(), destination)
    if replace:
        policy = destination / "ruleset.yaml"
        text = policy.read_text(encoding="utf-8")
        assert text.count(replace[0]) == 1, f"{replace[0]!r} is not in ruleset.yaml exactly once"
        policy.write_text(text.replace(replace[0], replace[1]), encoding="utf-8")
    return destination


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(text))


def one_line_error(result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- rules check ---------------------------------------------------------------------------------

BROKEN_FILES = {
    "wrong type": (VALIDITY_LINE, "  min_validity_days: sixty", "min_validity_days"),
    "unknown key": (VALIDITY_LINE, VALIDITY_LINE + "\n  min_validity_dayz: 30", "min_validity_dayz"),
}


@pytest.mark.parametrize("problem", sorted(BROKEN_FILES))
def test_rules_check_names_the_line_of_a_broken_rule_file(problem, onboard, tmp_path):
    old, new, named = BROKEN_FILES[problem]
    broken = copy_rules(tmp_path / "broken", (old, new))
    expected_line = line_of(broken / "ruleset.yaml", new.splitlines()[-1])

    message = one_line_error(onboard("rules", "check", str(broken)))
    assert f"ruleset.yaml:{expected_line}:" in message and named in message


def test_rules_check_names_the_line_of_a_broken_catalogue(onboard, tmp_path):
    broken = copy_rules(tmp_path / "broken")
    catalogue = broken / "deficiencies.yaml"
    text = catalogue.read_text(encoding="utf-8")
    good = "      front_twice:\n        message:"
    assert text.count(good) == 1
    catalogue.write_text(text.replace(good, "      front_twice:\n        mesage:"), encoding="utf-8")

    message = one_line_error(onboard("rules", "check", str(broken)))
    assert f"deficiencies.yaml:{line_of(catalogue, '        mesage:')}:" in message and "mesage" in message


def test_rules_check_accepts_a_faithful_copy(onboard, tmp_path):
    result = onboard("rules", "check", str(copy_rules(tmp_path / "copy")), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["ok"] is True


# --- rules what-if -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    seed: int
    days_left: int | None  # of ID card validity; None: the sample's own, years away
    left_out: tuple[D, ...]
    codes: tuple[str, ...]  # what the packaged rules find, hence the state it lands in


# Seeds whose names and ID validity OCR reads with confidence to spare (checked on dates a year
# apart), so each application's findings come from its defect, not from a misreading.
PORTFOLIO = {
    "approved": Member(108, None, (), ()),
    "expires_in_45_days": Member(115, 45, (), ("document_expiring_soon",)),
    "expires_in_20_days": Member(146, 20, (), ("document_expiring_soon",)),
    "expires_in_90_days_no_interior_photo": Member(121, 90, (D.INTERIOR_PHOTO,), ("document_missing",)),
}


def shanghai_today():
    # The engine's "today" is the local date of the configured time zone, not the test host's.
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def submit_portfolio(onboard, folder: Path) -> dict[str, dict]:
    views = {}
    for role, member in PORTFOLIO.items():
        identity = make_identity(member.seed, as_of=shanghai_today(), merchant_type="small_micro")
        if member.days_left is not None:
            identity = with_card_expiring(identity, member.days_left)
        documents = {t: encode_jpeg(render(t, identity, seed=member.seed))
                     for t in DOCUMENTS_BY_TYPE["small_micro"] if t not in member.left_out}
        result = onboard("submit", *write_application(folder / role, application_payload(identity), documents),
                         "--wait", "--json")
        assert result.exit_code == 0, result.stderr
        views[role] = view = result.json()
        # A precondition, not the subject: a failure here is OCR misreading a sample, not what-if.
        assert [d["code"] for d in view["deficiencies"]] == list(member.codes), (role, view["deficiencies"])
        assert view["state"] == ("needs_documents" if member.codes else "approved"), role
    return views


def write_application(folder: Path, payload: dict, documents: dict[D, bytes]) -> list[str]:
    folder.mkdir(parents=True)
    (folder / "application.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    args = [str(folder / "application.json")]
    for document_type, data in documents.items():
        (folder / f"{document_type}.jpg").write_bytes(data)
        args += ["--doc", f"{document_type}={folder / f'{document_type}.jpg'}"]
    return args


def database_snapshot(home: Path) -> dict[str, object]:
    """Every row of every table, and every file besides the database's own."""
    connection = sqlite3.connect(f"file:{home / 'onboard.db'}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {table: sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"'))) for table in tables}
    finally:
        connection.close()
    files = sorted((str(p.relative_to(home)), p.stat().st_size) for p in home.rglob("*")
                   if p.is_file() and not p.name.startswith("onboard.db"))
    return {"rows": rows, "files": files}


def finding_keys(findings: list[dict]) -> list[tuple]:
    return [(f["code"], f["document_type"], f["field"]) for f in findings]


EXPIRING_SOON = ("document_expiring_soon", "id_card_back", "valid_until")


def test_what_if_lists_exactly_the_applications_a_validity_threshold_change_affects(onboard, tmp_path,
                                                                                  onboard_home):
    views = submit_portfolio(onboard, tmp_path / "applications")
    ids = {role: view["application_id"] for role, view in views.items()}
    current_rules = views["approved"]["decision"]["rules_version"]
    before = database_snapshot(onboard_home)
    assert before["rows"]["decisions"], "the snapshot must see the decisions table"

    lowered_dir = copy_rules(tmp_path / "lowered", (VALIDITY_LINE, "  min_validity_days: 30"))
    raised_dir = copy_rules(tmp_path / "raised", (VALIDITY_LINE, "  min_validity_days: 120"))

    lowered = onboard("rules", "what-if", str(lowered_dir), "--json")
    assert lowered.exit_code == 0, lowered.stderr
    report = lowered.json()
    assert report["rules_before"] == current_rules and report["rules_after"] != current_rules
    assert report["evaluated"] == 3  # the approved application is no longer in flight
    assert [c["application_id"] for c in report["changed"]] == [ids["expires_in_45_days"]]
    (change,) = report["changed"]
    assert (change["before"]["outcome"], change["after"]["outcome"]) == ("needs_documents", "approved"), change
    assert finding_keys(change["removed"]) == [EXPIRING_SOON] and change["added"] == []
    assert report["summary"]["by_transition"] == [{"before": "needs_documents", "after": "approved", "count": 1}]

    raised = onboard("rules", "what-if", str(raised_dir), "--json").json()
    assert [c["application_id"] for c in raised["changed"]] == [ids["expires_in_90_days_no_interior_photo"]]
    (change,) = raised["changed"]
    assert change["before"]["outcome"] == change["after"]["outcome"] == "needs_documents", change
    assert finding_keys(change["added"]) == [EXPIRING_SOON] and change["removed"] == []
    assert ("document_missing", "interior_photo", None) in finding_keys(change["after"]["deficiencies"])

    unchanged = onboard("rules", "what-if", str(copy_rules(tmp_path / "same")), "--json").json()
    assert unchanged["rules_after"] == unchanged["rules_before"] and unchanged["changed"] == []
    assert unchanged["evaluated"] == 3

    human = onboard("rules", "what-if", str(lowered_dir))
    assert human.exit_code == 0, human.stderr
    assert ids["expires_in_45_days"] in human.stdout and "document_expiring_soon" in human.stdout
    assert "1 would change" in human.stdout and ids["expires_in_20_days"] not in human.stdout

    assert database_snapshot(onboard_home) == before


def test_what_if_refuses_a_broken_candidate_with_its_line(onboard, tmp_path):
    broken = copy_rules(tmp_path / "broken", (VALIDITY_LINE, "  min_validity_days: sixty"))
    message = one_line_error(onboard("rules", "what-if", str(broken), "--json"))
    assert f"ruleset.yaml:{line_of(broken / 'ruleset.yaml', '  min_validity_days: sixty')}:" in message

    message = one_line_error(onboard("rules", "what-if", str(tmp_path / "no-such-dir")))
    assert "ruleset.yaml" in message and "not found" in message
