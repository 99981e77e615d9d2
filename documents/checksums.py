"""Check characters of Chinese identifiers and card numbers (GB 11643-1999, GB 32100-2015, Luhn).

Hand-written rather than python-stdnum's full validators: `stdnum.cn.ric.validate`
rejects real numbers whose region code is missing from its dated table and
`stdnum.cn.uscc` rejects letter-prefixed codes (DOMAIN.md).
"""
from __future__ import annotations

from datetime import date

RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK_CHARS = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def ric_check_char(first17: str) -> str:
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need the first 17 digits of an ID number")
    total = sum(int(d) * w for d, w in zip(first17, RIC_WEIGHTS))
    return RIC_CHECK_CHARS[total % 11]


def ric_birth_date(number: str) -> date | None:
    """Birth date encoded in an 18-digit or legacy 15-digit ID number, None if not a real date."""
    if len(number) == 18:
        y, m, d = number[6:10], number[10:12], number[12:14]
    elif len(number) == 15:
        y, m, d = "19" + number[6:8], number[8:10], number[10:12]
    else:
        return None
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def ric_is_male(number: str) -> bool:
    """Sex digit: the 17th of 18 (or the 15th of a legacy number), odd for men."""
    digit = number[16] if len(number) == 18 else number[14]
    return int(digit) % 2 == 1


def ric_is_valid(number: str) -> bool:
    """Format, real birth date and (for 18 chars) check character; the region is not looked up."""
    number = number.upper()
    if len(number) == 18:
        if not number[:17].isdigit() or number[17] not in RIC_CHECK_CHARS:
            return False
        if ric_check_char(number[:17]) != number[17]:
            return False
    elif len(number) == 15:
        if not number.isdigit():
            return False
    else:
        return False
    return ric_birth_date(number) is not None


def uscc_check_char(first17: str) -> str:
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError("need the first 17 characters of a USCC")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    code = code.upper()
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def luhn_check_digit(payload: str) -> str:
    """The digit to append to `payload` so that the whole number passes Luhn."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_is_valid(number: str) -> bool:
    if not number.isdigit() or len(number) < 2:
        return False
    return luhn_check_digit(number[:-1]) == number[-1]


def registration_number_is_valid(number: str) -> bool:
    """A pre-2016 licence's 15-digit 注册号: its last digit is a GB/T 17710 (ISO 7064 MOD 11,10) check digit."""
    if len(number) != 15 or not number.isdigit():
        return False
    product = 10
    for digit in number[:-1]:
        product = ((product % 11 + int(digit)) % 10 or 10) * 2
    return (product % 11 + int(number[-1])) % 10 == 1
