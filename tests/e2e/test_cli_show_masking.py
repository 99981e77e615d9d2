"""`onboard show` without `--reveal` names no one in full: not in the findings' messages and notes, not in the
request, not in the history; the case page's staff notes neither. Zero-width characters do not help."""
from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from onboarding.adapters.database import engine_for
from onboarding.domain.model import Application, DecisionRecord
from onboarding.domain.states import ApplicationState as S
from tests.support.cli_process import refusal_environment, run_onboard_with_env
from tests.support.installation import database_path, seed_one_application, services_for

pytestmark = pytest.mark.e2e

NAME = "胡春"
DISGUISED = "胡\u200b春"  # what a forger or a bad OCR read may carry
AT = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)


def _application_with_named_findings(home: Path) -> str:
    services = services_for(home)
    services.uow()  # maps the domain classes before one is built
    finding = {"code": "name_mismatch", "document_type": "id_card_front", "field": "name",
               "message_zh": f"身份证上的姓名“{DISGUISED}”与申请人姓名“{NAME}”不一致。",
               "message_en": f"The name on your ID card, “{DISGUISED}”, differs from the applicant's name, “{NAME}”.",
               "staff_note": f"id_card_front name reads “{DISGUISED}”, application legal_name “{NAME}”.",
               "evidence": {"document": DISGUISED, "application": NAME}}
    application = Application(
        merchant_type="small_micro", legal_name=NAME, id_number="440781197506032481", phone="13800138000",
        email=None, business_name="春记小吃店", business_address="广东省江门市台山市北陡镇沙咀村12号",
        settlement_holder_name=NAME, settlement_number="6222021234567890123", settlement_bank="工商银行",
        device_model="P2", created_at=AT - timedelta(hours=1))
    with services.uow() as uow:
        application.transition(S.CHECKING, actor="engine", reason="test", at=AT)
        application.transition(S.NEEDS_DOCUMENTS, actor="engine", reason=f"name on card {DISGUISED}", at=AT)
        application.decisions.append(DecisionRecord(
            application_id=application.id, outcome="needs_documents", deficiencies=[finding], warnings=[],
            rules_version="1+test", ocr_engine="tesseract 5.3.0", fingerprint="0" * 64, decided_at=AT))
        application.request_documents([{k: finding[k] for k in ("code", "document_type", "field", "message_zh",
                                                                 "message_en", "staff_note")}],
                                      at=AT, due_at=AT + timedelta(days=10), actor="engine")
        uow.applications.add(application)
        uow.commit()
    from onboarding.service.casework import add_note

    add_note(services, application.id, f"merchant says {DISGUISED} is her married name", actor="staff:rita")
    engine_for(services.settings.resolved_database_url).dispose()
    return application.id


def test_show_without_reveal_names_no_one_in_full(tmp_path: Path) -> None:
    home = tmp_path / "home"
    application_id = _application_with_named_findings(home)
    env = refusal_environment(home)
    for args in (["--json"], []):
        shown = run_onboard_with_env(env, "show", application_id, *args, cwd=tmp_path)
        assert shown.exit_code == 0, shown.stderr
        assert NAME not in shown.stdout.replace("\u200b", "").replace("\\u200b", ""), shown.stdout
        assert "胡*" in shown.stdout
    revealed = run_onboard_with_env(env, "show", application_id, "--reveal", "--reason", "call back", "--json",
                                    cwd=tmp_path)
    assert NAME in revealed.json()["deficiencies"][0]["message_zh"]

    from onboarding.service.case_view import case_view

    services = services_for(home)
    notes = case_view(services, application_id)["notes"]
    engine_for(services.settings.resolved_database_url).dispose()
    assert [n["text"] for n in notes] == ["merchant says 胡* is her married name"]


def test_the_database_and_documents_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    seed_one_application(home)
    database = database_path(home)
    files = [p for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if p.exists()]
    files += [p for p in (home / "documents").rglob("*") if p.is_file()]
    directories = [home, *(p for p in (home / "documents").rglob("*") if p.is_dir()), home / "documents"]
    assert len(files) >= 2
    loose = {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in files if stat.S_IMODE(p.stat().st_mode) & 0o077}
    loose |= {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in directories
              if stat.S_IMODE(p.stat().st_mode) & 0o077}
    assert loose == {}
