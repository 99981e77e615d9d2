"""A valid application payload (INTERFACE.md) to start from, and ID numbers with a correct check character."""
from __future__ import annotations

import copy
import json
from typing import Any

from documents.checksums import ric_check_char

FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def resident_id(first17: str = "44078119750603248") -> str:
    return first17 + ric_check_char(first17)


_VALID_APPLICATION: dict[str, Any] = {
    "merchant_type": "small_micro",
    "legal_name": "王昌良",
    "id_number": resident_id(),
    "phone": "13800138000",
    "email": "merchant@example.com",
    "business_name": "台山市北陡镇昌良小吃店",
    "business_address": "广东省江门市台山市北陡镇沙咀村12号",
    "settlement_account": {"holder_name": "王昌良", "number": "6222021234567890123", "bank_name": "中国工商银行"},
    "device_model": "P2",
}


def valid_application(**overrides: Any) -> dict[str, Any]:
    """A fresh deep copy, with top-level fields replaced by `overrides`."""
    payload = copy.deepcopy(_VALID_APPLICATION)
    payload.update(overrides)
    return payload


def with_account(**overrides: Any) -> dict[str, Any]:
    return valid_application(settlement_account={**_VALID_APPLICATION["settlement_account"], **overrides})


def without(field: str) -> dict[str, Any]:
    payload = valid_application()
    del payload[field]
    return payload


def as_json_bytes(value: Any, encoding: str = "utf-8") -> bytes:
    return json.dumps(value, ensure_ascii=False).encode(encoding)
