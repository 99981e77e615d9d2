"""Turning a deficiency code and its facts into the words a merchant and a staff member read.

Template names available to every message: `{document}` (label of the document type),
`{field}` (label of the field), every evidence key, `{evidence[key]}` (for evidence keys a
parameter shadows), and the keyword parameters. Parameter values that are document
types, lists of document types, or (for `fields`) lists of field names become labels in
the message's language. A name the template asks for but nobody supplied renders as "…":
a message with a gap is better than an error while a merchant waits.
"""
from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from documents.types import DocumentType
from rules.model import Deficiency
from rules.schema import Catalogue, Localized, RuleSet

GAP = "…"
_JOINERS = {"zh": ("、", "或"), "en": (", ", " or ")}  # (list of all, list of alternatives)
ALTERNATIVE_PARAMS = frozenset({"alternatives", "expected"})


class _LenientFormatter(string.Formatter):
    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        return kwargs.get(key, GAP) if isinstance(key, str) else GAP

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        try:
            return super().get_field(field_name, args, kwargs)
        except (KeyError, IndexError, AttributeError, TypeError):
            return GAP, field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        try:
            return super().format_field(value, format_spec)
        except (ValueError, TypeError):
            return str(value)


_FORMATTER = _LenientFormatter()


def deficiency(
    ruleset: RuleSet,
    code: str,
    document_type: DocumentType | None = None,
    field: str | None = None,
    evidence: dict[str, Any] | None = None,
    *,
    variant: str | None = None,
    **params: Any,
) -> Deficiency:
    """A rendered `Deficiency`; a code missing from the catalogue gets the generic message and goes to staff.

    `variant` names the situation when the catalogue words it specially (see `CodeEntry.variants`).
    """
    catalogue = ruleset.catalogue
    evidence = dict(evidence or {})
    entry = catalogue.codes.get(code)
    if entry is None:
        message: Localized = catalogue.fallback.message
        staff_note, fixable = catalogue.fallback.staff_note, False
    else:
        chosen = entry.variant(variant)
        message = entry.message_by_document.get(document_type, entry.message) if document_type else entry.message
        message = chosen.message or message
        staff_note, fixable = chosen.staff_note or entry.staff_note, entry.routing(variant)[0]

    def render(template: str, language: str) -> str:
        names = _names(catalogue, language, code, document_type, field, evidence, params)
        return _FORMATTER.vformat(template, (), names)

    return Deficiency(
        code=code,
        document_type=document_type,
        field=field,
        message_zh=render(message.zh, "zh"),
        message_en=render(message.en, "en"),
        staff_note=render(staff_note, "en"),
        merchant_fixable=fixable,
        evidence=_jsonable(evidence),
        variant=variant,
        uploads=_uploads(entry, document_type),
    )


def _uploads(entry, document_type: DocumentType | None) -> list[DocumentType]:
    if document_type is None:
        return []
    extra = entry.also_upload.get(document_type, ()) if entry is not None else ()
    return [document_type, *(t for t in extra if t != document_type)]


def document_label(catalogue: Catalogue, document_type: DocumentType, language: str) -> str:
    label = catalogue.document_labels.get(document_type)
    return label.get(language) if label else str(document_type)


def field_label(catalogue: Catalogue, field: str, language: str) -> str:
    label = catalogue.field_labels.get(field)
    return label.get(language) if label else field


def _names(
    catalogue: Catalogue,
    language: str,
    code: str,
    document_type: DocumentType | None,
    field: str | None,
    evidence: dict[str, Any],
    params: dict[str, Any],
) -> dict[str, Any]:
    every, either = _JOINERS.get(language, _JOINERS["en"])

    def shown(name: str, value: Any) -> Any:
        if isinstance(value, DocumentType):
            return document_label(catalogue, value, language)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            if name == "fields":
                return every.join(field_label(catalogue, str(item), language) for item in value)
            joiner = either if name in ALTERNATIVE_PARAMS else every
            return joiner.join(str(shown(name, item)) for item in value)
        return value

    names: dict[str, Any] = {key: shown(key, value) for key, value in evidence.items()}
    names.update({key: shown(key, value) for key, value in params.items()})
    names["code"] = code
    names["evidence"] = {key: shown(key, value) for key, value in evidence.items()}
    names["document_type"] = str(document_type) if document_type else GAP
    names["document"] = document_label(catalogue, document_type, language) if document_type else GAP
    names["field"] = field_label(catalogue, field, language) if field else GAP
    return names


def _jsonable(value: Any) -> Any:
    # Evidence is stored as JSON next to the decision; dates and enums must survive the trip.
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, DocumentType):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value
