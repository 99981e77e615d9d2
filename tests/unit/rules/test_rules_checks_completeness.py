import pytest

from documents.types import DocumentType as D
from rules.checks.completeness import check_required_documents
from rules.model import MerchantType as M
from rules_facts import clean, context, with_doc, without_docs

CASES = [
    # merchant type, documents removed, documents added, expected (code, document) in order
    (M.SMALL_MICRO, [D.BANK_CARD], [], [("document_missing", D.BANK_CARD)]),
    # the front on file and no back: the merchant is told which side is still to photograph
    (M.SMALL_MICRO, [D.ID_CARD_BACK], [], [("document_missing_back", D.ID_CARD_BACK)]),
    (M.SMALL_MICRO, [D.ID_CARD_FRONT, D.ID_CARD_BACK], [],
     [("document_missing", D.ID_CARD_FRONT), ("document_missing", D.ID_CARD_BACK)]),
    (M.SMALL_MICRO, [D.ID_CARD_FRONT], [], [("document_missing", D.ID_CARD_FRONT)]),
    # address proof is needed only when no licence shows the address
    (M.SMALL_MICRO, [D.ADDRESS_PROOF], [], [("document_missing", D.ADDRESS_PROOF)]),
    (M.SMALL_MICRO, [D.ADDRESS_PROOF], [D.BUSINESS_LICENSE], []),
    (M.SMALL_MICRO, [D.INTERIOR_PHOTO, D.STOREFRONT_PHOTO], [],
     [("document_missing", D.STOREFRONT_PHOTO), ("document_missing", D.INTERIOR_PHOTO)]),
    (M.SOLE_TRADER, [D.BUSINESS_LICENSE], [], [("document_missing", D.BUSINESS_LICENSE)]),
    (M.SOLE_TRADER, [D.INTERIOR_PHOTO], [], [("document_missing", D.INTERIOR_PHOTO)]),
    # enterprise: the settlement proof is the account permit, not a card; interior photo optional
    (M.ENTERPRISE, [D.ACCOUNT_PERMIT], [], [("document_missing", D.ACCOUNT_PERMIT)]),
    (M.ENTERPRISE, [D.INTERIOR_PHOTO], [], []),
    (M.ENTERPRISE, [D.BANK_CARD], [], []),
]


@pytest.mark.parametrize("merchant_type, removed, added, expected", CASES)
def test_required_documents(merchant_type, removed, added, expected):
    facts = without_docs(clean(merchant_type), *removed)
    for document_type in added:
        facts = with_doc(facts, document_type)
    found = check_required_documents(context(facts))
    assert [(d.code, d.document_type) for d in found] == expected
    assert all(d.merchant_fixable for d in found)


def test_alternatives_are_named_in_the_message():
    found = check_required_documents(context(without_docs(clean(), D.ADDRESS_PROOF)))
    assert found[0].evidence == {"alternatives": ["address_proof", "business_license"]}
    assert "营业执照" in found[0].message_zh and "或" in found[0].message_zh
    assert "business licence" in found[0].message_en


def test_missing_back_message_names_the_back_and_what_is_on_it():
    (found,) = check_required_documents(context(without_docs(clean(), D.ID_CARD_BACK)))
    assert "人像面" in found.message_zh and "国徽面" in found.message_zh and "有效期限" in found.message_zh
    assert "We have the front" in found.message_en and "back" in found.message_en
