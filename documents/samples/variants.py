"""Sample merchants and photos with one deliberate, realistic defect, for tests that need a check to fire.

`make_identity` yields a merchant every check passes; the functions here derive the
ones a check should catch (a card about to run out, a minor, someone else's ID number,
a bill for other premises) and the photos the quality checks look for (too small,
blurred, showing something else). Each keeps the rest of the identity consistent, so
the check under test is the only one with a reason to fire.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from PIL import Image, ImageFilter

from documents.samples.identity import SampleIdentity, add_years, age_on, validity_years
from documents.checksums import luhn_is_valid, ric_check_char

# Years an ID card is issued for below 46 (GB 11643 / 居民身份证法 art. 5), longest first.
CARD_PERIODS = (20, 10, 5)
# When a holder was too old at issue for any card that expires, they become this old at issue instead.
AGE_AT_ISSUE_FOR_EXPIRING_CARD = 35
VISA_PREFIX = "4"


def id_number_for(birth: date, sex: str, region_code: str, sequence: int = 12) -> str:
    """A valid 18-digit resident ID number (GB 11643) for that birth date, sex (男/女) and region."""
    sex_digit = (sequence % 5) * 2 + (1 if sex == "男" else 0)
    first17 = f"{region_code}{birth:%Y%m%d}{sequence % 100:02d}{sex_digit}"
    return first17 + ric_check_char(first17)


def someone_elses_id_number(identity: SampleIdentity) -> str:
    """Same region, birth date and sex, another sequence: what a relative's or a colleague's card reads."""
    sequence = int(identity.id_number[14:16])
    return id_number_for(identity.birth_date, identity.sex, identity.id_number[:6], sequence + 37)


def with_birth_date(identity: SampleIdentity, birth: date) -> SampleIdentity:
    """Moves the holder's birth date, and the ID number that encodes it, keeping region and sex."""
    number = id_number_for(birth, identity.sex, identity.id_number[:6], int(identity.id_number[14:16]))
    return identity.model_copy(update={"birth_date": birth, "id_number": number})


def with_card_expiring(identity: SampleIdentity, days_left: int) -> SampleIdentity:
    """The ID card runs out `days_left` days after `as_of` (negative: already expired).

    The period printed on the back is the one the holder's age at issue entitles them to,
    so the period-plausibility check stays quiet; a holder who would have been 46 or older
    at issue (长期 cards never expire) is made younger.
    """
    until = identity.as_of + timedelta(days=days_left)
    for years in CARD_PERIODS:
        issued = add_years(until, -years)
        if validity_years(age_on(identity.birth_date, issued)) == years:
            return identity.model_copy(update={"valid_from": issued, "valid_until": until})
    issued = add_years(until, -CARD_PERIODS[0])
    younger = with_birth_date(identity, add_years(issued, -AGE_AT_ISSUE_FOR_EXPIRING_CARD))
    return younger.model_copy(update={"valid_from": issued, "valid_until": until})


def aged(identity: SampleIdentity, years: int, days_past_birthday: int = 30) -> SampleIdentity:
    """A holder who turned `years` (at least 16) `days_past_birthday` days before `as_of`, with a card issued then."""
    if years < 16:
        raise ValueError("the sample cards are first issued at 16")
    birth = add_years(identity.as_of - timedelta(days=days_past_birthday), -years)
    issued = identity.as_of - timedelta(days=days_past_birthday)
    period = validity_years(age_on(birth, issued))
    until = None if period is None else add_years(issued, period)
    return with_birth_date(identity, birth).model_copy(update={"valid_from": issued, "valid_until": until})


def born_in_the_future(identity: SampleIdentity, years_ahead: int = 5) -> SampleIdentity:
    """An ID number with a correct check character and a real, but future, birth date.

    The application file only checks the check character and that the date exists, so this
    is the number that gets through submission and is still invalid for the rules.
    """
    return with_birth_date(identity, add_years(identity.as_of, years_ahead))


def other_premises(identity: SampleIdentity, seed: int) -> SampleIdentity:
    """The address proof is for another place in the same city (a home, a previous shop)."""
    other = f"{identity.business_address.split('市')[0]}市人民路{random.Random(seed).randint(400, 899)}号"
    return identity.model_copy(update={"address_proof_address": other})


def with_stale_address_proof(identity: SampleIdentity, days_old: int) -> SampleIdentity:
    return identity.model_copy(update={"address_proof_issued_on": identity.as_of - timedelta(days=days_old)})


def with_failing_luhn(number: str) -> str:
    """The same card number with its Luhn check digit off by one."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def foreign_card_number(seed: int, length: int = 16) -> str:
    """A Visa-style number (not UnionPay) that fails Luhn: invalid outright, not a staff warning."""
    rng = random.Random(seed)
    body = VISA_PREFIX + "".join(rng.choice("0123456789") for _ in range(length - 1))
    return body if not luhn_is_valid(body) else with_failing_luhn(body)


def with_wrong_check_char(code: str, alphabet: str = "0123456789") -> str:
    """An ID number or credit code whose last (check) character is another one from `alphabet`."""
    return code[:-1] + next(ch for ch in alphabet if ch != code[-1])


def shrunk(image: Image.Image, width: int) -> Image.Image:
    """The photo as a chat app's thumbnail would send it."""
    return image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)


def blurred(image: Image.Image, radius: float = 6.0) -> Image.Image:
    """Camera shake or a dirty lens: nothing on it can be read."""
    return image.filter(ImageFilter.GaussianBlur(radius))

