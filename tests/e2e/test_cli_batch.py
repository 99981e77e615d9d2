"""Bulk loads through the real CLI: `onboard batch DIR`, all checked before any is stored, loaded again safely."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from documents.samples.applications import sample_application
from onboarding.demo import PLAN

DECIDED = {"approved", "needs_documents", "manual_review", "rejected"}


def write_batch(root: Path, seeds: list[int]) -> dict[str, list[str]]:
    """One folder per application, as a partner's export would have it; the codes each one should get."""
    expected = {}
    for n, seed in enumerate(seeds):
        merchant_type, scenario = PLAN[n % len(PLAN)]
        sample = sample_application(seed, merchant_type, scenario)
        folder = root / f"merchant-{n:02d}"
        folder.mkdir(parents=True)
        (folder / "application.json").write_text(json.dumps(sample.payload, ensure_ascii=False), encoding="utf-8")
        for document_type, data in sample.documents.items():
            (folder / f"{document_type}.jpg").write_bytes(data)
        expected[folder.name] = sorted(sample.expected_codes)
    return expected


def stored_files(home: Path) -> list[Path]:
    documents = home / "documents"
    return sorted(p for p in documents.rglob("*") if p.is_file()) if documents.exists() else []


def test_a_folder_is_onboarded_in_one_run_and_loading_it_again_adds_nothing(onboard, tmp_path, onboard_home):
    batch = tmp_path / "partner-export"
    expected = write_batch(batch, [41, 42, 43, 44])  # complete ×3 (one per merchant type), missing ID back

    first = onboard("batch", str(batch), "--wait", "--json", timeout=600)
    assert first.exit_code == 0, first.stderr
    rows = {row["name"]: row for row in first.json()["applications"]}
    assert sorted(rows) == sorted(expected)
    assert all(row["state"] in DECIDED for row in rows.values()), rows
    assert rows["merchant-03"]["state"] == "needs_documents"  # its ID card back was left out
    assert set(expected["merchant-03"]) <= set(rows["merchant-03"]["deficiencies"])
    assert not any(row["submitted_earlier"] for row in rows.values())
    assert first.json()["seconds"]["onboarded"] >= first.json()["seconds"]["stored"]
    files = stored_files(onboard_home)

    again = onboard("batch", str(batch), "--wait", "--json", timeout=600)
    assert again.exit_code == 0, again.stderr
    again_rows = {row["name"]: row for row in again.json()["applications"]}
    assert {n: r["application_id"] for n, r in again_rows.items()} == {n: r["application_id"] for n, r in rows.items()}
    assert all(row["submitted_earlier"] for row in again_rows.values())
    assert len(onboard("status", "--json").json()) == len(expected) and stored_files(onboard_home) == files
    shown = onboard("show", rows["merchant-03"]["application_id"], "--json").json()
    assert len(shown["requests"]) == 1  # the second load asked the merchant for nothing new


def test_one_bad_file_refuses_the_whole_folder_and_stores_nothing(onboard, tmp_path, onboard_home):
    batch = tmp_path / "with-a-bad-file"
    write_batch(batch, [45, 46, 47])
    (batch / "merchant-02" / "bank_card.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")

    result = onboard("batch", str(batch), "--wait", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "merchant-02" in result.stderr and "bank_card" in result.stderr and "document_corrupt" in result.stderr
    assert onboard("status", "--json").json() == [] and stored_files(onboard_home) == []

    shutil.rmtree(batch / "merchant-02")
    (batch / "merchant-01" / "passport.jpg").write_bytes(b"x")
    misnamed = onboard("batch", str(batch), "--json")
    assert misnamed.exit_code == 2 and "merchant-01/passport.jpg" in misnamed.stderr
    assert onboard("batch", str(tmp_path / "nowhere"), "--json").exit_code == 2
    assert onboard("status", "--json").json() == []
