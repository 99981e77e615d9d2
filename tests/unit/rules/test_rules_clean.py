"""The baseline every table-driven test edits: a clean application passes every check."""
import pytest

from rules.engine import CHECKS
from rules.model import MerchantType, Outcome
from rules_facts import clean, context, decide


@pytest.mark.parametrize("merchant_type", list(MerchantType))
def test_clean_application_is_approved(merchant_type):
    decision = decide(clean(merchant_type))
    assert decision.outcome == Outcome.APPROVED
    assert decision.deficiencies == [] and decision.warnings == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("merchant_type", list(MerchantType))
def test_every_check_passes_clean_application(check, merchant_type):
    assert check(context(clean(merchant_type))) == []
