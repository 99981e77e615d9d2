"""The real-document corpus: what `manifest.yaml` says about each public specimen, and its image from the cache.

The images are never committed (see the manifest's header); `materialize.py` writes them to `.corpus/real/`.
Benchmarks iterate the items here:

    from bench.real_corpus.corpus import load_items
    for item in load_items(types={"business_license"}):
        data = item.image_bytes()   # the cached file, after the manifest's crop/rotate/resize
        item.truth                  # {"uscc": ..., "company_name": ...} as printed, read by eye
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
MANIFEST = HERE / "manifest.yaml"
CACHE = REPO_ROOT / ".corpus" / "real"

# What an upload can be, for classification (issue 15 item 4).
KINDS = frozenset({
    "id_card_front", "id_card_back", "bank_card", "business_license", "account_permit", "address_proof",
    "storefront_photo", "interior_photo", "blank", "other",
})
# Fields a label may carry per document type: INTERFACE.md's names, plus what the product does not read yet.
TRUTH_FIELDS: dict[str, frozenset[str]] = {
    "id_card_front": frozenset({"name", "sex", "ethnicity", "birth_date", "address", "id_number"}),
    "id_card_back": frozenset({"issuing_authority", "valid_from", "valid_until"}),
    "bank_card": frozenset({"card_number"}),
    "business_license": frozenset({"uscc", "registration_number", "company_name", "legal_representative", "address"}),
    "address_proof": frozenset({"holder_name", "address", "issue_date"}),
    "account_permit": frozenset({"company_name", "account_number", "bank_name", "approval_number"}),
}
FETCHED_KEYS = ("id", "repo", "commit", "path", "blob", "licence", "licence_allows_tests", "type", "kind", "layout",
                "truth", "notes")
GENERATED_KEYS = ("id", "generated", "licence", "licence_allows_tests", "type", "kind", "layout", "truth", "notes")


class ManifestError(ValueError):
    """The manifest is malformed: names the item and what is wrong."""


class ImageNotMaterialized(FileNotFoundError):
    def __init__(self, item_id: str, cache: Path) -> None:
        super().__init__(f"{item_id}: no image in {cache}; run `python bench/real_corpus/materialize.py` "
                         "(it says which repositories to fetch)")


@dataclass(frozen=True)
class CorpusItem:
    id: str
    kind: str
    layout: str
    type: str | None  # the document type it would be uploaded as; None for non-documents
    truth: dict[str, str]
    notes: str
    licence: str
    licence_allows_tests: bool
    repo: str | None = None
    commit: str | None = None
    path: str | None = None
    blob: str | None = None
    generated: dict[str, Any] | None = None
    transform: dict[str, Any] = field(default_factory=dict)
    template: bool = False
    cache: Path = CACHE

    @property
    def source(self) -> str:
        return f"{self.repo}@{self.commit[:10]}:{self.path}" if self.repo else "generated"

    def cached_file(self) -> Path | None:
        found = sorted(self.cache.glob(f"{self.id}.*"))
        return found[0] if found else None

    def image_bytes(self) -> bytes:
        path = self.cached_file()
        if path is None:
            raise ImageNotMaterialized(self.id, self.cache)
        return path.read_bytes()


def load_manifest(path: Path = MANIFEST, cache: Path = CACHE) -> list[CorpusItem]:
    """Every item of the manifest, validated; raises ManifestError naming the first bad item."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or document.get("version") != 1 or not isinstance(document.get("items"), list):
        raise ManifestError(f"{path}: expected a mapping with version: 1 and a list of items")
    items, seen = [], set()
    for raw in document["items"]:
        item = _item(raw, cache)
        if item.id in seen:
            raise ManifestError(f"{item.id}: duplicate id")
        seen.add(item.id)
        items.append(item)
    return items


def _item(raw: Any, cache: Path) -> CorpusItem:
    if not isinstance(raw, dict) or "id" not in raw:
        raise ManifestError(f"item without an id: {raw!r}")
    ident = raw["id"]
    required = GENERATED_KEYS if "generated" in raw else FETCHED_KEYS
    missing = [key for key in required if key not in raw]
    if missing:
        raise ManifestError(f"{ident}: missing {', '.join(missing)}")
    unknown = set(raw) - set(FETCHED_KEYS) - set(GENERATED_KEYS) - {"transform", "template"}
    if unknown:
        raise ManifestError(f"{ident}: unknown keys {sorted(unknown)}")
    if raw["kind"] not in KINDS:
        raise ManifestError(f"{ident}: kind {raw['kind']!r} is not one of {sorted(KINDS)}")
    document_type, truth = raw["type"], raw["truth"] or {}
    if document_type is not None and document_type not in TRUTH_FIELDS and truth:
        raise ManifestError(f"{ident}: type {document_type!r} carries no fields")
    if document_type is None and truth:
        raise ManifestError(f"{ident}: a non-document has no truth")
    if document_type is not None:
        unknown_fields = set(truth) - TRUTH_FIELDS.get(document_type, frozenset())
        if unknown_fields:
            raise ManifestError(f"{ident}: fields {sorted(unknown_fields)} are not fields of {document_type}")
    if "repo" in raw and (len(str(raw["commit"])) != 40 or len(str(raw["blob"])) != 40):
        raise ManifestError(f"{ident}: commit and blob must be full 40-character git ids")
    return CorpusItem(
        id=ident, kind=raw["kind"], layout=raw["layout"], type=document_type,
        truth={k: str(v) for k, v in truth.items()}, notes=raw["notes"], licence=raw["licence"],
        licence_allows_tests=bool(raw["licence_allows_tests"]), repo=raw.get("repo"), commit=raw.get("commit"),
        path=raw.get("path"), blob=raw.get("blob"), generated=raw.get("generated"),
        transform=raw.get("transform") or {}, template=bool(raw.get("template", False)), cache=cache,
    )


def load_items(*, types: Iterable[str] | None = None, kinds: Iterable[str] | None = None,
               licensed_only: bool = False, with_truth: bool = False, include_templates: bool = True,
               manifest: Path = MANIFEST, cache: Path = CACHE, require_images: bool = True) -> list[CorpusItem]:
    """The items matching the filters. With `require_images`, an item whose image is not in the cache raises
    ImageNotMaterialized (run materialize.py first) rather than silently shrinking the corpus."""
    wanted_types = None if types is None else set(types)
    wanted_kinds = None if kinds is None else set(kinds)
    chosen = []
    for item in load_manifest(manifest, cache):
        if wanted_types is not None and item.type not in wanted_types:
            continue
        if wanted_kinds is not None and item.kind not in wanted_kinds:
            continue
        if (licensed_only and not item.licence_allows_tests) or (with_truth and not item.truth):
            continue
        if item.template and not include_templates:
            continue
        if require_images and item.cached_file() is None:
            raise ImageNotMaterialized(item.id, cache)
        chosen.append(item)
    return chosen


def counts_by(items: Iterable[CorpusItem], attribute: str) -> dict[str, int]:
    tally: dict[str, int] = {}
    for item in items:
        key = str(getattr(item, attribute))
        tally[key] = tally.get(key, 0) + 1
    return dict(sorted(tally.items()))
