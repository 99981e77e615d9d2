"""The real corpus's manifest and its tools, without the images (they are never committed, so CI has none)."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
import yaml
from PIL import Image

from bench.real_corpus.corpus import KINDS, ImageNotMaterialized, ManifestError, load_items, load_manifest
from bench.real_corpus.materialize import materialize
from documents.checksums import ric_is_valid


def test_every_manifest_item_is_complete_and_labelled() -> None:
    items = load_manifest()

    assert len({i.id for i in items}) == len(items)
    assert {i.kind for i in items} <= KINDS
    for item in items:
        assert item.layout and item.notes and item.licence, item.id
        assert item.generated is not None or (item.repo and item.path and len(item.commit) == 40 and len(item.blob) == 40)
        if "card_number" in item.truth:
            assert item.truth["card_number"].isdigit() and 16 <= len(item.truth["card_number"]) <= 19, item.id
        if "id_number" in item.truth and not item.layout.startswith("id_front_illustration"):
            assert ric_is_valid(item.truth["id_number"]), item.id


def test_the_corpus_has_the_breadth_the_issue_asks_for() -> None:
    labelled = [i for i in load_manifest() if i.truth and not i.template]
    by_type = {t: sum(i.type == t for i in labelled) for t in ("business_license", "bank_card", "id_card_front")}

    assert by_type["business_license"] >= 10 and by_type["bank_card"] >= 26 and by_type["id_card_front"] >= 8
    assert sum(i.kind == "business_license" for i in load_manifest()) >= 16
    assert any(i.kind == "blank" for i in load_manifest()) and any(i.kind == "other" for i in load_manifest())


def _manifest(tmp_path: Path, items: list[dict]) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "items": items}, allow_unicode=True), encoding="utf-8")
    return path


def _item(**overrides) -> dict:
    item = {"id": "card-x", "repo": "someone/cards", "commit": "a" * 40, "path": "cards/x.jpg", "blob": "b" * 40,
            "licence": "MIT", "licence_allows_tests": True, "type": "bank_card", "kind": "bank_card",
            "layout": "card_embossed_4x4", "truth": {"card_number": "6222021234567890123"}, "notes": "test"}
    return item | overrides


def test_a_malformed_item_is_named(tmp_path: Path) -> None:
    missing_blob = _item()
    del missing_blob["blob"]

    for bad, message in ((missing_blob, "card-x: missing blob"), (_item(kind="selfie"), "card-x: kind 'selfie'"),
                         (_item(truth={"uscc": "x"}), "card-x: fields ['uscc'] are not fields of bank_card")):
        with pytest.raises(ManifestError, match=message.replace("[", r"\[").replace("]", r"\]")):
            load_manifest(_manifest(tmp_path, [bad]), tmp_path / "cache")


def test_materialize_names_the_repositories_to_fetch(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, [_item(), _item(id="card-y")])

    outcome = materialize(load_manifest(manifest, tmp_path / "cache"), mirrors=tmp_path / "mirrors",
                          cache=tmp_path / "cache")

    assert outcome.missing_mirrors == {"someone/cards": ["card-x", "card-y"]}
    assert "fetch github:someone/cards" in outcome.report()
    with pytest.raises(ImageNotMaterialized, match="run `python bench/real_corpus/materialize.py`"):
        load_items(manifest=manifest, cache=tmp_path / "cache")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


def test_materialize_rebuilds_images_from_a_mirror(tmp_path: Path) -> None:
    work = tmp_path / "mirrors" / "someone+cards" / "repo"
    (work / "cards").mkdir(parents=True)
    Image.new("RGB", (400, 200), (10, 120, 200)).save(work / "cards" / "x.jpg", "JPEG")
    _git(work, "init", "-q")
    _git(work, "add", ".")
    _git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "cards")
    commit, blob = _git(work, "rev-parse", "HEAD"), _git(work, "rev-parse", "HEAD:cards/x.jpg")
    manifest = _manifest(tmp_path, [
        _item(commit=commit, blob=blob),
        _item(id="card-half", commit=commit, blob=blob, transform={"crop": [0.0, 0.0, 0.5, 1.0]}),
        {"id": "blank-white", "generated": {"colour": [255, 255, 255], "size": [64, 32]}, "licence": "ours",
         "licence_allows_tests": True, "type": None, "kind": "blank", "layout": "solid_colour", "truth": {},
         "notes": "test"},
    ])
    cache = tmp_path / "cache"

    first = materialize(load_manifest(manifest, cache), mirrors=tmp_path / "mirrors", cache=cache)
    again = materialize(load_manifest(manifest, cache), mirrors=tmp_path / "mirrors", cache=cache)

    assert sorted(first.written) == ["blank-white", "card-half", "card-x"] and not first.missing_mirrors
    assert sorted(again.unchanged) == ["blank-white", "card-half", "card-x"] and not again.written
    items = {i.id: i for i in load_items(manifest=manifest, cache=cache)}
    assert items["card-x"].image_bytes() == (work / "cards" / "x.jpg").read_bytes()
    assert Image.open(io.BytesIO(items["card-half"].image_bytes())).size == (200, 200)
    assert Image.open(io.BytesIO(items["blank-white"].image_bytes())).getcolors() == [(64 * 32, (255, 255, 255))]
