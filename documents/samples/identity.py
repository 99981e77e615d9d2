"""One synthetic merchant: a person, their ID card, bank card, business and address proof.

Every value is derived from a seeded RNG so the same (seed, as_of) always yields the
same merchant, and every identifier carries a correct check character, so a sample
that fails a check only does so because a test asked for it through `overrides`.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from documents.samples.names import (
    COMPANY_TRADES, ETHNICITIES, FEMALE_GIVEN, MALE_GIVEN, NEUTRAL_GIVEN, SHOP_BRANDS, SHOP_TRADES,
    SURNAMES, pinyin_of,
)
from documents.samples.regions import REGIONS, Region
from documents.checksums import USCC_ALPHABET, luhn_check_digit, ric_check_char, uscc_check_char

MerchantType = Literal["small_micro", "sole_trader", "enterprise"]
AddressProofKind = Literal["electricity_bill", "lease"]

# (bank, UnionPay BIN, card length): real debit-card BINs of the big retail banks.
BANKS: tuple[tuple[str, str, int], ...] = (
    ("中国工商银行", "622202", 19),
    ("中国建设银行", "621700", 19),
    ("中国农业银行", "622848", 19),
    ("中国银行", "621661", 19),
    ("招商银行", "621483", 16),
    ("交通银行", "622262", 19),
    ("中国邮政储蓄银行", "621799", 19),
    ("广发银行", "622568", 16),
)

# Cards still valid for at least this long, so a default sample passes the
# "less than 60 days left" rule with margin.
MIN_VALIDITY_LEFT = timedelta(days=180)


class SampleIdentity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int
    as_of: date
    merchant_type: MerchantType

    name: str
    name_pinyin: str
    sex: Literal["男", "女"]
    ethnicity: str
    birth_date: date
    home_address: str
    id_number: str
    phone: str

    issuing_authority: str
    valid_from: date
    valid_until: date | None  # None: 长期 (no expiry)

    bank_name: str
    card_number: str

    business_name: str
    business_kind: str  # 类型 printed on the licence
    uscc: str
    legal_representative: str
    business_address: str
    established_on: date
    registration_authority: str

    address_proof_kind: AddressProofKind
    address_proof_holder: str
    address_proof_address: str
    address_proof_issued_on: date
    power_supplier: str

    @property
    def valid_until_text(self) -> str:
        return "长期" if self.valid_until is None else self.valid_until.isoformat()

    def to_application(self, device_model: str = "P2") -> dict[str, object]:
        """The application JSON of INTERFACE.md that this merchant would submit."""
        return {
            "merchant_type": self.merchant_type,
            "legal_name": self.name,
            "id_number": self.id_number,
            "phone": self.phone,
            "email": f"{self.name_pinyin.replace(' ', '.').lower()}{self.seed}@example.com",
            "business_name": self.business_name,
            "business_address": self.business_address,
            "settlement_account": {"holder_name": self.name, "number": self.card_number, "bank_name": self.bank_name},
            "device_model": device_model,
        }


def validity_years(age_at_issue: int) -> int | None:
    """GB 11643 card validity by age at issue; None means 长期."""
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return d.replace(year=d.year + years, day=28)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def turns(birth: date, years: int) -> date:
    """The first day someone born on `birth` is `years` old by `age_on`: for a 29 February birthday in a
    non-leap year that is 1 March (`add_years` gives 28 February, still a day short)."""
    day = add_years(birth, years)
    return day if age_on(birth, day) >= years else day + timedelta(days=1)


def make_identity(
    seed: int, *, as_of: date | None = None, merchant_type: MerchantType | None = None, **overrides: object
) -> SampleIdentity:
    """A consistent sample merchant; `overrides` replace fields verbatim (derived fields are not recomputed).

    `as_of` (default today) anchors ages, card validity and the address-proof date, so
    default samples are current; pin it for byte-identical output across days.
    """
    rng = random.Random(seed)
    as_of = as_of or date.today()
    merchant_type = merchant_type or rng.choice(("small_micro", "sole_trader", "sole_trader", "enterprise"))
    region = rng.choice(REGIONS)

    sex = rng.choice(("男", "女"))
    name = _make_name(rng, sex)
    birth = as_of - timedelta(days=rng.randint(20 * 365, 65 * 365))
    id_number = _make_id_number(rng, region.code, birth, sex)
    valid_from, valid_until = _make_validity(rng, birth, as_of)
    bank_name, bin_, length = rng.choice(BANKS)
    business_address = _make_address(rng, region, shop=True)
    proof_issued = as_of - timedelta(days=rng.randint(3, 60))
    established = max(turns(birth, 18), as_of - timedelta(days=rng.randint(200, 8 * 365)))

    values: dict[str, object] = dict(
        seed=seed, as_of=as_of, merchant_type=merchant_type,
        name=name, name_pinyin=pinyin_of(name), sex=sex, ethnicity=_weighted(rng, ETHNICITIES),
        birth_date=birth, home_address=_make_address(rng, region, shop=False), id_number=id_number,
        phone=f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
        issuing_authority=region.police, valid_from=valid_from, valid_until=valid_until,
        bank_name=bank_name, card_number=_make_card_number(rng, bin_, length),
        business_name=_make_business_name(rng, region, name, merchant_type),
        business_kind=_business_kind(rng, merchant_type),
        uscc=_make_uscc(rng, region.code, enterprise=merchant_type == "enterprise"),
        legal_representative=name, business_address=business_address,
        established_on=established, registration_authority=region.market_regulator,
        address_proof_kind=rng.choice(("electricity_bill", "lease")),
        address_proof_holder=name, address_proof_address=business_address,
        address_proof_issued_on=proof_issued, power_supplier=region.power_supplier,
    )
    unknown = set(overrides) - set(SampleIdentity.model_fields)
    if unknown:
        raise TypeError(f"unknown SampleIdentity fields in overrides: {sorted(unknown)}")
    values.update(overrides)
    return SampleIdentity.model_validate(values)


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _make_name(rng: random.Random, sex: str) -> str:
    gendered = list(MALE_GIVEN if sex == "男" else FEMALE_GIVEN)
    if rng.random() < 0.25:  # single-character given names are common but always gendered
        return rng.choice(list(SURNAMES)) + rng.choice(gendered)
    given = "".join(rng.sample(gendered + list(NEUTRAL_GIVEN), 2))
    return rng.choice(list(SURNAMES)) + given


def _make_id_number(rng: random.Random, region_code: str, birth: date, sex: str) -> str:
    sequence = f"{rng.randint(0, 99):02d}"
    sex_digit = rng.choice("13579" if sex == "男" else "02468")
    first17 = f"{region_code}{birth:%Y%m%d}{sequence}{sex_digit}"
    return first17 + ric_check_char(first17)


def _make_validity(rng: random.Random, birth: date, as_of: date) -> tuple[date, date | None]:
    """An issue date in the past whose validity period (by age at issue) still runs well beyond as_of."""
    sixteenth = turns(birth, 16)
    for _ in range(200):
        issued = as_of - timedelta(days=rng.randint(30, 19 * 365))
        if issued < sixteenth:
            continue
        years = validity_years(age_on(birth, issued))
        until = None if years is None else add_years(issued, years)
        if until is None or until - as_of >= MIN_VALIDITY_LEFT:
            return issued, until
    raise AssertionError("no valid issue date found; the age range is inconsistent")


def _make_address(rng: random.Random, region: Region, *, shop: bool) -> str:
    street = rng.choice(region.streets)
    number = rng.randint(1, 388)
    if street.endswith("村"):
        return f"{region.prefix}{street}{number}号"
    if shop:
        return f"{region.prefix}{street}{number}号{rng.choice(('首层', '101铺', '一楼', '102室'))}"
    building, room = rng.randint(1, 12), rng.randint(1, 18) * 100 + rng.randint(1, 6)
    return f"{region.prefix}{street}{number}号{building}栋{room}房"


def _make_card_number(rng: random.Random, bin_: str, length: int) -> str:
    body = bin_ + "".join(rng.choice("0123456789") for _ in range(length - len(bin_) - 1))
    return body + luhn_check_digit(body)


def _make_business_name(rng: random.Random, region: Region, person: str, merchant_type: str) -> str:
    brand = person[1:] if len(person) == 3 and rng.random() < 0.5 else rng.choice(SHOP_BRANDS)
    if merchant_type == "enterprise":
        return f"{region.short_place.removesuffix('市')}{brand}{rng.choice(COMPANY_TRADES)}有限公司"
    return f"{region.short_place}{region.district if region.district != region.short_place else ''}" \
           f"{brand}{rng.choice(SHOP_TRADES)}"


def _business_kind(rng: random.Random, merchant_type: str) -> str:
    if merchant_type == "enterprise":
        return rng.choice(("有限责任公司(自然人投资或控股)", "有限责任公司(自然人独资)"))
    return "个体工商户"


def _make_uscc(rng: random.Random, region_code: str, *, enterprise: bool) -> str:
    """91/92 + region + a GB 11714 organisation code (MA…, its own check char) + GB 32100 check char."""
    org_body = "MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
    first17 = ("91" if enterprise else "92") + region_code + org_body + _org_code_check_char(org_body)
    return first17 + uscc_check_char(first17)


def _org_code_check_char(body8: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
