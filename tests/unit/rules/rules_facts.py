"""Hand-built application facts for rule tests: a clean application per merchant type, and small edits to it.

(A plain module, not fixtures, so that parametrize tables can use it; conftest.py puts it on sys.path.)
"""
from __future__ import annotations

from datetime import date
from typing import Any

from documents.types import DocumentType as D
from documents.types import ExtractedField
from rules.checks.context import CheckContext
from documents.checksums import luhn_check_digit, ric_check_char, uscc_check_char
from rules.engine import evaluate
from rules.model import ApplicationFacts, Decision, Deficiency, DocumentFacts, MerchantType
from rules.ruleset import load_ruleset
from rules.schema import RuleSet

TODAY = date(2026, 3, 1)
LEGAL_NAME = "王昌良"
BUSINESS_NAME = "台山市北陡镇昌良小吃店"
COMPANY_NAME = "江门市昌良餐饮管理有限公司"
ADDRESS = "广东省江门市台山市北陡镇沙咀村12号"


def ruleset() -> RuleSet:
    return load_ruleset()


def id_number(birth: str = "19750603", region: str = "440781", sequence: str = "248") -> str:
    """A valid 18-digit number; an even sequence's last digit means female."""
    first17 = region + birth + sequence
    return first17 + ric_check_char(first17)


def card_number(payload: str = "622202123456789012") -> str:
    return payload + luhn_check_digit(payload)


def failing_luhn(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def wrong_last_char(code: str) -> str:
    """The same ID number or credit code with another (still well-formed) check character."""
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def uscc(first17: str = "91440781MA4WABCD1") -> str:
    return first17 + uscc_check_char(first17)


APPLICANT_ID = id_number()
CARD = card_number()
COMPANY_USCC = uscc("91440781MA4WABCD1")
SOLE_TRADER_USCC = uscc("92440781MA4WABCD1")


def fields(**values: str | None) -> dict[str, ExtractedField]:
    return {name: ExtractedField(value=value, confidence=0.95) for name, value in values.items()}


def document(document_type: D, **values: str | None) -> DocumentFacts:
    return DocumentFacts(document_type=document_type, sha256=f"sha-{document_type.value}",
                         fields=fields(**values), width=2000, height=1300, blur_score=400.0)


def _documents(merchant_type: MerchantType) -> dict[D, DocumentFacts]:
    company = COMPANY_NAME if merchant_type == MerchantType.ENTERPRISE else BUSINESS_NAME
    docs = [
        document(D.ID_CARD_FRONT, name=LEGAL_NAME, sex="女", ethnicity="汉", birth_date="1975-06-03",
                 address=ADDRESS, id_number=APPLICANT_ID),
        document(D.ID_CARD_BACK, issuing_authority="台山市公安局", valid_from="2015-08-01", valid_until="2035-08-01"),
        document(D.STOREFRONT_PHOTO),
        document(D.INTERIOR_PHOTO),
    ]
    if merchant_type == MerchantType.ENTERPRISE:
        docs.append(document(D.ACCOUNT_PERMIT))
    else:
        docs.append(document(D.BANK_CARD, card_number=CARD))
    if merchant_type == MerchantType.SMALL_MICRO:
        docs.append(document(D.ADDRESS_PROOF, holder_name=LEGAL_NAME, address=ADDRESS, issue_date="2026-01-15"))
    else:
        docs.append(document(D.BUSINESS_LICENSE, company_name=company, legal_representative=LEGAL_NAME,
                             address=ADDRESS,
                             uscc=SOLE_TRADER_USCC if merchant_type == MerchantType.SOLE_TRADER else COMPANY_USCC))
    return {d.document_type: d for d in docs}


def clean(merchant_type: MerchantType = MerchantType.SMALL_MICRO) -> ApplicationFacts:
    """An application every check passes on TODAY."""
    enterprise = merchant_type == MerchantType.ENTERPRISE
    return ApplicationFacts(
        merchant_type=merchant_type,
        legal_name=LEGAL_NAME,
        id_number=APPLICANT_ID,
        phone="13800138000",
        business_name=COMPANY_NAME if enterprise else BUSINESS_NAME,
        business_address=ADDRESS,
        settlement_holder_name=COMPANY_NAME if enterprise else LEGAL_NAME,
        settlement_number="44050112345678901234" if enterprise else CARD,
        device_model="P2",
        documents=_documents(merchant_type),
    )


def with_app(facts: ApplicationFacts, **changes: Any) -> ApplicationFacts:
    return facts.model_copy(update=changes)


def with_doc(facts: ApplicationFacts, document_type: D, **changes: Any) -> ApplicationFacts:
    """Changes a document's attributes (width, sha256, ...), adding the document if absent."""
    current = facts.documents.get(document_type) or document(document_type)
    documents = {**facts.documents, document_type: current.model_copy(update=changes)}
    return facts.model_copy(update={"documents": documents})


def with_fields(facts: ApplicationFacts, document_type: D, confidence: float = 0.95,
                **values: str | None) -> ApplicationFacts:
    current = facts.documents.get(document_type) or document(document_type)
    updated = {**current.fields,
               **{name: ExtractedField(value=value, confidence=confidence) for name, value in values.items()}}
    return with_doc(facts, document_type, fields=updated)


def without_fields(facts: ApplicationFacts, document_type: D, *names: str) -> ApplicationFacts:
    current = facts.documents[document_type]
    return with_doc(facts, document_type, fields={k: v for k, v in current.fields.items() if k not in names})


def without_docs(facts: ApplicationFacts, *document_types: D) -> ApplicationFacts:
    documents = {t: d for t, d in facts.documents.items() if t not in document_types}
    return facts.model_copy(update={"documents": documents})


def context(facts: ApplicationFacts, today: date = TODAY) -> CheckContext:
    return CheckContext(facts=facts, ruleset=ruleset(), today=today)


def codes(found: list[Deficiency]) -> list[str]:
    return [d.code for d in found]


def decide(facts: ApplicationFacts, today: date = TODAY) -> Decision:
    return evaluate(facts, ruleset(), today)
