"""A staff-facing summary of one application for the Prefect UI: markdown and a table, PII masked."""
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
        f"# {view['application_id']} — {md(view['business_name'])}",
        "",
        f"**State:** `{view['state']}` · **Type:** {view['merchant_type']} · **Legal person:** {md(view['legal_name'])} "
        f"· **ID:** {md(view['id_number'])}",
        f"**Decision:** {decision.get('outcome', '—')} · **Rules:** {decision.get('rules_version', '—')} "
        f"· **OCR:** {decision.get('ocr_engine', '—')}",
        "",
        "## Documents",
        "",
        "| document | size | fields read (masked) |",
        "|---|---|---|",
    ]
    for doc in view["documents"]:
        if not doc["current"]:
            continue
        fields = "; ".join(f"{md(k)}: {md(f.get('value'))} ({f.get('confidence', 0):.2f})"
                           for k, f in (doc["fields"] or {}).items()) or "—"
        lines.append(f"| {doc['document_type']} | {doc['width']}×{doc['height']} | {fields} |")
    lines += ["", "## Deficiencies", ""]
    if view["deficiencies"]:
        lines += ["| code | document | merchant is told | staff note |", "|---|---|---|---|"]
        lines += [f"| `{d['code']}` | {d.get('document_type') or ''} | {md(d['message_zh'])} | {md(d.get('staff_note', ''))} |"
                  for d in view["deficiencies"]]
    else:
        lines.append("None.")
    if view.get("warnings"):
        lines += ["", "## Warnings", ""] + [f"- `{w['code']}`: {md(w.get('staff_note', ''))}" for w in view["warnings"]]
    return "\n".join(lines)


def summary_table(view: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"item": "state", "value": view["state"], "detail": view["merchant_type"]}]
    rows += [{"item": f"deficiency:{d['code']}", "value": d.get("document_type") or "", "detail": d["message_en"]}
             for d in view["deficiencies"]]
    if view["decision"]:
        rows.append({"item": "rules_version", "value": view["decision"]["rules_version"], "detail": ""})
    return rows
