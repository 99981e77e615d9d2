"""Inputs that look hostile but are legitimate must be ACCEPTED, through the real CLI with a real flow run.

The gate recognises files by their bytes, never by their names; damaged EXIF must not cost a merchant
a good photo; full-width digits are what Chinese input methods type; and a name that looks like SQL
is just a string to a parameterised database.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.applications import FULLWIDTH_DIGITS, resident_id, valid_application
from tests.support.hostile_applications import SQL_INJECTION
from tests.support.image_bytes import clean_png, jpeg_with_corrupt_exif, jpeg_with_orientation
from tests.support.pdf_bytes import clean_pdf

pytestmark = pytest.mark.e2e


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_full_width_id_digits_and_an_sql_looking_name_are_accepted(onboard, tmp_path: Path) -> None:
    payload = valid_application(id_number=resident_id().translate(FULLWIDTH_DIGITS), legal_name=SQL_INJECTION)
    payload["settlement_account"]["holder_name"] = SQL_INJECTION
    app_file = _write(tmp_path / "application.json", json.dumps(payload, ensure_ascii=False).encode())

    submitted = onboard("submit", str(app_file), "--wait", "--json")
    assert submitted.exit_code == 0, submitted.stderr
    application_id = submitted.json()["application_id"]

    shown = onboard("show", application_id, "--reveal", "--reason", "test", "--json").json()
    assert shown["id_number"] == resident_id()  # stored half-width
    assert shown["legal_name"] == SQL_INJECTION
    assert shown["settlement_account"]["holder_name"] == SQL_INJECTION
    assert [row["application_id"] for row in onboard("status", "--json").json()] == [application_id]


def test_files_are_judged_by_their_bytes_and_odd_exif_is_tolerated(onboard, tmp_path: Path) -> None:
    app_file = _write(tmp_path / "application.json", json.dumps(valid_application(), ensure_ascii=False).encode())
    docs = {
        "storefront_photo": _write(tmp_path / "storefront.pdf", clean_png()),  # a PNG named .pdf
        "interior_photo": _write(tmp_path / "interior.jpg", clean_pdf()),  # a PDF named .jpg
        "account_permit": _write(tmp_path / "permit.png", jpeg_with_orientation(8)),  # 120x60, rotated 90°
        "id_card_back": _write(tmp_path / "back.jpg", jpeg_with_corrupt_exif()),
    }
    args = [arg for doc_type, path in docs.items() for arg in ("--doc", f"{doc_type}={path}")]

    submitted = onboard("submit", str(app_file), *args, "--wait", "--json")
    assert submitted.exit_code == 0, submitted.stderr
    stored = {d["document_type"]: d for d in submitted.json()["documents"]}

    assert {t: stored[t]["media_type"] for t in docs} == {
        "storefront_photo": "image/png", "interior_photo": "application/pdf",
        "account_permit": "image/jpeg", "id_card_back": "image/jpeg"}
    assert (stored["account_permit"]["width"], stored["account_permit"]["height"]) == (60, 120)
