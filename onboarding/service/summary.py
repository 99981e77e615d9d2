"""A staff-facing summary of one application for the Prefect UI: markdown and a table.

Prefect keeps artifacts in its own database, outside our encryption and our reveal audit, and shows them to
anyone with the UI: so they carry ids, codes, states and masked values only. No finding's text (messages and
staff notes quote names and numbers), no value read from a document (names, home addresses, birth dates),
no business name (for small merchants, often the owner's name)."""
from __future__ import annotations

import re
from typing import Any

# Masks are stars (唐*辉, 4452**********5334): unescaped, a markdown renderer reads two of them as emphasis.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~])")


def md(value: Any) -> str:
    """A value as literal markdown text (also safe inside a table cell)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " ")


def summary_markdown(view: dict[str, Any]) -> str:
    decision = view["decision"] or {}
    lines = [
        f"# {view['application_id']}",
        "",
        f"**State:** `{view['state']}` · **Type:** {view['merchant_type']} "
        f"· **Legal person:** {md(view['legal_name'])} · **ID:** {md(view['id_number'])}",
        f"**Decision:** {decision.get('outcome', '—')} · **Rules:** {decision.get('rules_version', '—')} "
        f"· **OCR:** {decision.get('ocr_engine', '—')}",
        "",
        "## Documents",
        "",
        "| document | size | fields read (confidence) |",
        "|---|---|---|",
    ]
    for doc in view["documents"]:
        if not doc["current"]:
            continue
        fields = "; ".join(f"{k} ({(f or {}).get('confidence', 0):.2f})"
                           for k, f in (doc["fields"] or {}).items()) or "—"
        lines.append(f"| {doc['document_type']} | {doc['width']}×{doc['height']} | {fields} |")
    lines += ["", "## Deficiencies", ""]
    if view["deficiencies"]:
        lines += ["| code | document | field |", "|---|---|---|"]
        lines += [f"| `{d['code']}` | {d.get('document_type') or ''} | {d.get('field') or ''} |"
                  for d in view["deficiencies"]]
    else:
        lines.append("None.")
    if view.get("warnings"):
        lines += ["", "## Warnings", ""]
        lines += [f"- `{w['code']}` {md(w.get('document_type') or '')}" for w in view["warnings"]]
    lines += ["", "Details: `onboard show " + view["application_id"] + "` (masked) or the back office case page."]
    return "\n".join(lines)


def summary_table(view: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"item": "state", "value": view["state"], "detail": view["merchant_type"]}]
    rows += [{"item": f"deficiency:{d['code']}", "value": d.get("document_type") or "", "detail": d.get("field") or ""}
             for d in view["deficiencies"]]
    if view["decision"]:
        rows.append({"item": "rules_version", "value": view["decision"]["rules_version"], "detail": ""})
    return rows
