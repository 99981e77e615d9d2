"""PII masking for everything shown outside the database: CLI, logs, artifacts, portal pages.

Every value is brought to one canonical form before it is masked or looked for in a text: NFKC (full-width
letters and digits, Kangxi radicals and compatibility ideographs become the characters they look like) and
without format characters (zero-width spaces and joiners, bidi marks: Unicode category Cf) or stray combining
marks. Otherwise `胡\u200b春` would be masked as a three-character name, `胡*春`, showing the whole name.
"""
from __future__ import annotations

import unicodedata
from typing import Any

NUMBER_KEYS = ("id_number", "card_number", "settlement_number", "number", "uscc_of_person", "phone")
NAME_KEYS = ("name", "legal_name", "holder_name", "legal_representative", "settlement_holder_name")


def canonical(text: str) -> str:
    """NFKC, without format characters (Cf) and combining marks left over after composition (Mn, Me)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) not in ("Cf", "Mn", "Me"))


def mask_number(value: str | None) -> str | None:
    """`440781197506032481` → `4407**********2481`: enough for staff to match a call, not to reuse."""
    if not value:
        return value
    value = "".join(canonical(value).split())
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str | None) -> str | None:
    """`王昌良` → `王*良`, `王良` → `王*`; Latin names keep their first letter per word."""
    if not value:
        return value
    value = canonical(value).strip()
    if not value:
        return "*"
    if value.isascii():
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in value.split())
    if len(value) <= 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in NUMBER_KEYS or key.endswith("_number"):
        return mask_number(value)
    if key in NAME_KEYS or key.endswith("_name") and key not in ("business_name", "company_name", "bank_name"):
        return mask_name(value)
    return value


def mask_fields(fields: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Extracted OCR fields: {name: {"value": ..., "confidence": ...}}."""
    return {name: {**field, "value": mask_value(name, field.get("value"))} for name, field in fields.items()}


def mask_evidence(evidence: dict[str, Any], field: str | None) -> dict[str, Any]:
    """Evidence values compare a document field with the application's; mask them as that field."""
    if field is None:
        return evidence
    return {k: mask_value(field, v) if isinstance(v, str) else v for k, v in evidence.items()}


def _canonical_with_positions(text: str) -> tuple[str, list[int]]:
    """`text` in canonical form, character by character, and for each canonical character the index of the
    original character it came from."""
    flat, positions = [], []
    for index, character in enumerate(text):
        for produced in canonical(character):
            flat.append(produced)
            positions.append(index)
    return "".join(flat), positions


def mask_in_text(text: str | None, known: dict[str, str]) -> str | None:
    """Free text (staff notes of findings, messages, audit reasons) with every known PII value masked, longest
    first. `known` maps each value to its masked form. Values are looked for in canonical form, so a zero-width
    space or a full-width digit inside a name does not hide it; the rest of the text is left as written."""
    if not text:
        return text
    flat, positions = _canonical_with_positions(text)
    forms = sorted(((_canonical_with_positions(value)[0], hidden) for value, hidden in known.items()),
                   key=lambda form: -len(form[0]))
    taken = [False] * len(text)
    spans = []
    for value, hidden in forms:
        if len(value) < 2:
            continue
        found = flat.find(value)
        while found != -1:
            first, last = positions[found], positions[found + len(value) - 1] + 1
            if not any(taken[first:last]):
                spans.append((first, last, hidden))
                taken[first:last] = [True] * (last - first)
            found = flat.find(value, found + len(value))
    for first, last, hidden in sorted(spans, reverse=True):
        text = text[:first] + hidden + text[last:]
    return text
