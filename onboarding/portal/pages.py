"""Turning the portal service's answers into HTML, in the merchant's language."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from documents.sniffing import ACCEPTED_MEDIA_TYPES
from documents.types import DocumentType
from onboarding.bootstrap import Services
from onboarding.domain.states import ApplicationState
from onboarding.portal import texts
from onboarding.portal.texts import Lang
from onboarding.portal.aftercare_pages import aftercare_context
from onboarding.service.merchant_status import MerchantStatus
from onboarding.service.portal import PortalPage

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ACCEPT = ",".join(sorted(ACCEPTED_MEDIA_TYPES, key=lambda t: ("application" in t, t)))
APPROVED_STATES = frozenset({ApplicationState.APPROVED, ApplicationState.SHIPPED, ApplicationState.ACTIVE})
# Utility bills and bank certificates often arrive as PDFs: forcing the camera would hide the file picker.
NO_CAMERA_TYPES = frozenset({DocumentType.ADDRESS_PROOF, DocumentType.ACCOUNT_PERMIT})
STATUS_CLASS = {"missing": "bad", "checking": "wait", "accepted": "good"}
REFRESH_SECONDS = 3


def _heading(label: str | None) -> str | None:
    """Catalogue labels are written to sit inside a sentence ("the storefront photo"); headings start upper case."""
    return label[:1].upper() + label[1:] if label else label


def page_kind(page: PortalPage) -> str:
    if page.checking:
        return "checking"
    if page.state in APPROVED_STATES:
        return "approved"
    if page.state == ApplicationState.MANUAL_REVIEW:
        return "review"
    return "upload" if page.can_upload and page.upload_types else "idle"


class Pages:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

    def document_label(self, document_type: str | None, lang: Lang) -> str | None:
        if not document_type:
            return None
        try:
            known = DocumentType(document_type)
        except ValueError:
            return None  # a name a client made up is not echoed back
        label = self.services.ruleset.catalogue.document_labels.get(known)
        return getattr(label, lang) if label else known.value

    def _due(self, due_at: datetime | None, lang: Lang) -> str | None:
        if due_at is None:
            return None
        local = due_at.astimezone(ZoneInfo(self.services.settings.timezone))
        when = f"{local:%Y-%m-%d %H:%M}" if lang == "zh" else f"{local.day} {local:%b %Y %H:%M}"
        return f"{when}（{texts.text(lang, 'beijing_time')}）" if lang == "zh" else \
            f"{when} ({texts.text(lang, 'beijing_time')})"

    def common(self, lang: Lang) -> dict[str, Any]:
        return self._common(lang)

    def _common(self, lang: Lang) -> dict[str, Any]:
        return {"lang": lang, "html_lang": "zh-CN" if lang == "zh" else "en",
                "other_lang": "en" if lang == "zh" else "zh", "t": lambda key, **kw: texts.text(lang, key, **kw)}

    def link(self, page: PortalPage, token: str, lang: Lang, status: MerchantStatus | None = None,
             done: str | None = None) -> str:
        """`status`: the rest of the merchant's page (progress, terminal, deposit, complaints, changes)."""
        kind = page_kind(page)
        after = None if status is None else aftercare_context(status, token, lang, self._due, self.document_label,
                                                              done)
        heading = texts.text(lang, "title") if kind == "upload" or after is None else after["a"]("page_title")
        items = [{
            "document_type": item.document_type, "code": item.code,
            "label": _heading(self.document_label(item.document_type, lang)),
            "message": item.message_zh if lang == "zh" else item.message_en,
            "status": item.status, "status_class": STATUS_CLASS.get(item.status, "wait"),
            "status_label": texts.text(lang, f"status_{item.status}") if item.status in STATUS_CLASS else item.status,
            "thumbnail_url": (f"/r/{token}/documents/{item.thumbnail_document_id}/thumbnail"
                              if item.thumbnail_document_id and item.status == "missing" else None),
        } for item in page.items]
        inputs = [{"name": t, "label": _heading(self.document_label(t, lang)),
                   "camera": DocumentType(t) not in NO_CAMERA_TYPES}
                  for t in page.upload_types]
        return self.env.get_template("link.html").render(
            **self._common(lang), kind=kind, refresh_seconds=REFRESH_SECONDS if kind == "checking" else None,
            business_name=page.business_name, application_id=page.application_id,
            due=self._due(page.due_at, lang) if kind == "upload" else None, items=items, inputs=inputs,
            upload_url=f"/r/{token}/upload", accept=ACCEPT, max_mb=self.max_mb(), after=after, heading=heading,
        )

    def max_mb(self) -> str:
        return f"{self.services.settings.max_upload_bytes / (1024 * 1024):.3g}"

    def message(self, lang: Lang, title: str, body: str, back_url: str | None = None) -> str:
        return self.env.get_template("message.html").render(
            **self._common(lang), title=title, body=body, back_url=back_url)

    def not_valid(self) -> str:
        """Bilingual and fixed: the same bytes for every unknown, expired, revoked or closed link."""
        return self.env.get_template("message.html").render(
            lang="zh", html_lang="zh-CN", other_lang="en", t=lambda key, **kw: texts.bilingual(key),
            title=texts.bilingual("not_valid_title"), body=texts.bilingual("not_valid_detail"), back_url=None)
