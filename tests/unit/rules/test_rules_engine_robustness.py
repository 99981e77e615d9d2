"""Whatever OCR and merchants produce, the engine decides; it never raises."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.types import DocumentType as D
from documents.types import ExtractedField
from rules.model import ApplicationFacts, DocumentFacts, MerchantType
from rules_facts import TODAY, decide, ruleset

FIELD_NAMES = ["name", "sex", "birth_date", "id_number", "valid_from", "valid_until", "card_number", "uscc",
               "company_name", "legal_representative", "address", "issue_date"]
# Text that looks like what OCR returns: digits, dates, CJK, full-width forms, junk.
ocr_text = st.one_of(
    st.none(),
    st.text(max_size=25),
    st.text("0123456789X-.年月日 长期", max_size=20),
    st.dates().map(str),
)
extracted = st.builds(ExtractedField, value=ocr_text, confidence=st.floats(0.0, 1.0))
documents = st.dictionaries(
    st.sampled_from(list(D)),
    st.builds(
        lambda fields, width, blur, sha: (fields, width, blur, sha),
        st.dictionaries(st.sampled_from(FIELD_NAMES), extracted, max_size=6),
        st.one_of(st.none(), st.integers(0, 5000)),
        st.one_of(st.none(), st.floats(0.0, 1000.0)),
        st.sampled_from(["a", "b", "c", "d"]),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(merchant_type=st.sampled_from(list(MerchantType)), id_number=st.text("0123456789Xx ", max_size=19),
       number=st.text("0123456789 -", max_size=21), names=st.lists(st.text(max_size=8), min_size=3, max_size=3),
       docs=documents)
def test_any_facts_get_a_decision(merchant_type, id_number, number, names, docs):
    facts = ApplicationFacts(
        merchant_type=merchant_type, legal_name=names[0], id_number=id_number, phone="13800138000",
        business_name=names[1], business_address="广东省江门市台山市北陡镇沙咀村12号",
        settlement_holder_name=names[2], settlement_number=number, device_model="P2",
        documents={
            t: DocumentFacts(document_type=t, sha256=sha, fields=fields, width=width, blur_score=blur)
            for t, (fields, width, blur, sha) in docs.items()
        },
    )
    decision = decide(facts, TODAY)
    assert decision.rules_version == ruleset().version_label
    assert all(d.message_zh and d.message_en for d in decision.deficiencies + decision.warnings)
