"""Every upload is classified before its fields are read (issue 15 item 4), through the real CLI: a bank card
photo in the ID-back slot is named as a bank card and the good bank card is not flagged; a one-colour image is
refused as blank, never as blurry, and nothing is stored."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from documents.samples.applications import sample_application
from documents.types import DocumentType as D

pytestmark = pytest.mark.e2e

SEED = 108  # a merchant whose documents read back reliably (see test_cli_deficiency_codes)


def test_bank_card_in_the_id_back_slot_and_a_blank_upload(onboard, tmp_path):
    sample = sample_application(SEED, "small_micro", "complete",
                                as_of=datetime.now(ZoneInfo("Asia/Shanghai")).date())
    documents = {**sample.documents, D.ID_CARD_BACK: sample.documents[D.BANK_CARD]}  # the card photo, twice
    (tmp_path / "application.json").write_text(json.dumps(sample.payload, ensure_ascii=False), encoding="utf-8")
    args = [str(tmp_path / "application.json")]
    for document_type, data in documents.items():
        (tmp_path / f"{document_type}.jpg").write_bytes(data)
        args += ["--doc", f"{document_type}={tmp_path / f'{document_type}.jpg'}"]

    result = onboard("submit", *args, "--wait", "--json")
    assert result.exit_code == 0, result.stderr
    view = result.json()
    assert view["state"] == "needs_documents", view["deficiencies"]
    found = {(d["code"], d["document_type"]): d for d in view["deficiencies"]}
    mismatch = found[("document_type_mismatch", "id_card_back")]
    assert "这看起来是银行卡照片，请上传身份证国徽面" in mismatch["message_zh"]
    assert "looks like a photo of a bank card" in mismatch["message_en"]
    assert not [d for d in view["deficiencies"] if d["document_type"] == "bank_card"]  # the good card: no flag
    assert [(i["code"], i["document_type"]) for i in view["request"]["items"]] == [
        ("document_type_mismatch", "id_card_back")]

    solid = tmp_path / "solid.png"
    Image.new("RGB", (1080, 1920), (40, 70, 160)).save(solid)
    refused = onboard("upload", view["application_id"], "--doc", f"id_card_back={solid}", "--json")
    assert refused.exit_code == 2 and refused.stdout == "", refused.stderr
    (line,) = refused.stderr.strip().splitlines()
    assert "document_blank" in line and "id_card_back" in line and "blur" not in line
    after = onboard("show", view["application_id"], "--json").json()
    assert len(after["documents"]) == len(view["documents"])  # nothing stored
