"""The sample generator: valid identifiers, consistent dates, deterministic images."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from documents.samples import fonts
from documents.samples.identity import SampleIdentity, age_on, make_identity, validity_years
from documents.samples.render import LAYOUTS, render
from documents.samples.truth import ground_truth
from documents.types import DocumentType
from documents.checksums import luhn_is_valid, ric_birth_date, ric_is_male, ric_is_valid, uscc_is_valid

AS_OF = date(2026, 3, 1)
INTERFACE_FIELDS = {
    DocumentType.ID_CARD_FRONT: {"name", "sex", "ethnicity", "birth_date", "address", "id_number"},
    DocumentType.ID_CARD_BACK: {"issuing_authority", "valid_from", "valid_until"},
    DocumentType.BANK_CARD: {"card_number"},
    DocumentType.BUSINESS_LICENSE: {"uscc", "company_name", "legal_representative", "address"},
    DocumentType.ADDRESS_PROOF: {"holder_name", "address", "issue_date"},
}


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9))
def test_identifiers_carry_valid_check_characters(seed: int) -> None:
    person = make_identity(seed, as_of=AS_OF)
    assert ric_is_valid(person.id_number)
    assert ric_birth_date(person.id_number) == person.birth_date
    assert ric_is_male(person.id_number) == (person.sex == "男")
    assert person.card_number.startswith("62") and len(person.card_number) in (16, 19)
    assert luhn_is_valid(person.card_number)
    assert uscc_is_valid(person.uscc)
    assert person.uscc[:2] == ("91" if person.merchant_type == "enterprise" else "92")
    assert person.uscc[2:8] == person.id_number[:6]  # registered where the person lives


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9))
@example(seed=516)  # born 29 February 2004: of age on 1 March 2022, not on 28 February
def test_dates_are_consistent(seed: int) -> None:
    person = make_identity(seed, as_of=AS_OF)
    assert age_on(person.birth_date, AS_OF) >= 18
    age_at_issue = age_on(person.birth_date, person.valid_from)
    assert age_at_issue >= 16
    assert person.valid_from < AS_OF
    years = validity_years(age_at_issue)
    if years is None:
        assert person.valid_until is None
    else:
        assert person.valid_until is not None
        assert person.valid_until.month == person.valid_from.month
        assert person.valid_until.year - person.valid_from.year == years
        assert person.valid_until - AS_OF >= timedelta(days=180)  # not about to expire
    assert timedelta(0) < AS_OF - person.address_proof_issued_on <= timedelta(days=90)
    assert age_on(person.birth_date, person.established_on) >= 18 and person.established_on <= AS_OF


def test_the_documents_agree_with_each_other() -> None:
    for seed in range(50):
        person = make_identity(seed, as_of=AS_OF)
        assert person.legal_representative == person.address_proof_holder == person.name
        assert person.address_proof_address == person.business_address
        assert person.id_number[:6] in {"440781", "110105", "310104", "330106", "510107", "440305", "420106",
                                        "320102", "370202", "610113", "350203", "430104"}
        assert 2 <= len(person.name) <= 3


@pytest.mark.parametrize(("age", "years"), [(10, 5), (15, 5), (16, 10), (25, 10), (26, 20), (45, 20), (46, None)])
def test_validity_years_follow_age_at_issue(age: int, years: int | None) -> None:
    assert validity_years(age) == years


def test_same_seed_same_identity_and_different_seeds_differ() -> None:
    assert make_identity(7, as_of=AS_OF) == make_identity(7, as_of=AS_OF)
    assert len({make_identity(seed, as_of=AS_OF).id_number for seed in range(30)}) == 30


def test_overrides_replace_fields_and_reject_unknown_ones() -> None:
    expired = make_identity(3, as_of=AS_OF, valid_until=date(2024, 3, 1))
    assert expired.valid_until == date(2024, 3, 1)
    assert expired.id_number == make_identity(3, as_of=AS_OF).id_number
    assert make_identity(3, as_of=AS_OF, merchant_type="enterprise").uscc.startswith("91")
    with pytest.raises(TypeError, match="no_such_field"):
        make_identity(3, as_of=AS_OF, no_such_field=1)


def test_application_json_matches_the_identity() -> None:
    person = make_identity(11, as_of=AS_OF)
    application = person.to_application()
    assert application["id_number"] == person.id_number
    assert application["settlement_account"]["number"] == person.card_number
    assert application["business_address"] == person.business_address
    assert str(application["phone"]).isdigit() and len(str(application["phone"])) == 11


@pytest.mark.parametrize("document_type", list(INTERFACE_FIELDS))
def test_ground_truth_uses_the_interface_field_names(document_type: DocumentType) -> None:
    person = make_identity(5, as_of=AS_OF)
    truth = ground_truth(document_type, person)
    assert set(truth) == INTERFACE_FIELDS[document_type]
    assert all(isinstance(value, str) and value for value in truth.values())


def test_ground_truth_formats() -> None:
    person = make_identity(5, as_of=AS_OF, valid_until=None)
    assert ground_truth(DocumentType.ID_CARD_BACK, person)["valid_until"] == "长期"
    assert ground_truth(DocumentType.ID_CARD_FRONT, person)["birth_date"] == person.birth_date.isoformat()
    assert ground_truth(DocumentType.STOREFRONT_PHOTO, person) == {}


RENDERABLE = list(LAYOUTS)


@pytest.mark.parametrize("document_type", RENDERABLE)
def test_render_is_deterministic(document_type: DocumentType) -> None:
    person = make_identity(21, as_of=AS_OF)
    first = render(document_type, person, seed=1)
    assert first.mode == "RGB"
    assert first.tobytes() == render(document_type, person, seed=1).tobytes()
    assert first.tobytes() != render(document_type, person, seed=2).tobytes()  # background varies with seed


@pytest.mark.parametrize("level", ["scan", "photo"])
def test_capture_levels_are_deterministic_and_change_the_image(level: str) -> None:
    person = make_identity(4, as_of=AS_OF)
    degraded = render(DocumentType.ID_CARD_FRONT, person, level=level)
    assert degraded.tobytes() == render(DocumentType.ID_CARD_FRONT, person, level=level).tobytes()
    assert degraded.tobytes() != render(DocumentType.ID_CARD_FRONT, person).tobytes()


def test_id_card_has_the_resolution_acquirers_require() -> None:
    image = render(DocumentType.ID_CARD_FRONT, make_identity(1, as_of=AS_OF))
    assert image.width >= 1000  # ~300 dpi for an 85.6 mm card


def test_unknown_level_and_type_are_rejected() -> None:
    person = make_identity(1, as_of=AS_OF)
    with pytest.raises(ValueError, match="capture level"):
        render(DocumentType.BANK_CARD, person, level="fax")
    with pytest.raises(ValueError, match="passport"):
        render("passport", person)


def test_missing_fonts_give_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_FONT_DIRS", ())
    monkeypatch.setattr(fonts.shutil, "which", lambda _name: None)
    fonts._face.cache_clear()
    try:
        with pytest.raises(fonts.FontMissingError, match="fonts-noto-cjk"):
            fonts.font("sans", 20)
    finally:
        fonts._face.cache_clear()


def test_identity_is_immutable() -> None:
    person = make_identity(1, as_of=AS_OF)
    with pytest.raises(Exception):
        person.name = "someone else"  # type: ignore[misc]
    assert isinstance(person, SampleIdentity)


def test_scenarios_about_the_id_sides_and_the_licence_code() -> None:
    from documents.samples.applications import sample_application

    as_of = date(2026, 3, 1)
    complete = sample_application(5, "sole_trader", as_of=as_of)
    swapped = sample_application(5, "sole_trader", "swapped_sides", as_of=as_of)
    assert (swapped.documents[DocumentType.ID_CARD_FRONT], swapped.documents[DocumentType.ID_CARD_BACK]) == (
        complete.documents[DocumentType.ID_CARD_BACK], complete.documents[DocumentType.ID_CARD_FRONT])
    twice = sample_application(5, "sole_trader", "front_twice", as_of=as_of)
    assert twice.documents[DocumentType.ID_CARD_FRONT] == complete.documents[DocumentType.ID_CARD_FRONT]
    assert twice.documents[DocumentType.ID_CARD_BACK] not in (complete.documents[DocumentType.ID_CARD_FRONT],
                                                               complete.documents[DocumentType.ID_CARD_BACK])
    invalid = sample_application(5, "sole_trader", "invalid_uscc", as_of=as_of)
    assert not uscc_is_valid(invalid.identity.uscc) and invalid.identity.uscc[:17] == complete.identity.uscc[:17]
    assert invalid.payload == complete.payload  # the application is right; the licence is not
    with pytest.raises(ValueError, match="needs a business licence"):
        sample_application(5, "small_micro", "invalid_uscc", as_of=as_of)
