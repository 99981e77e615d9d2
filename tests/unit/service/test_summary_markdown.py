"""The application summary Prefect's UI shows: masked values stay literal text, never emphasis."""
from __future__ import annotations

from markdown_it import MarkdownIt

from onboarding.service.summary import summary_markdown


def view(**overrides):
    return {"application_id": "APP-TEST0001", "business_name": "台山市*记小吃店", "state": "needs_documents",
            "merchant_type": "small_micro", "legal_name": "唐*辉", "id_number": "4452**********5334",
            "decision": None, "warnings": [], "deficiencies": [],
            "documents": [{"current": True, "document_type": "id_card_front", "width": 800, "height": 500,
                           "fields": {"name": {"value": "唐*辉", "confidence": 0.9},
                                      "address": {"value": "a|b", "confidence": 0.8}}}], **overrides}


def test_masks_render_as_written_and_values_read_from_documents_stay_out():
    html = MarkdownIt("commonmark").enable("table").render(summary_markdown(view()))

    assert "<em>" not in html and "<strong>唐" not in html
    assert "唐*辉" in html and "4452**********5334" in html
    # Prefect's UI is outside our reveal audit: a document's field is named with its confidence, never its value.
    assert "address (0.80)" in html and "a|b" not in html
    assert "台山市" not in html
