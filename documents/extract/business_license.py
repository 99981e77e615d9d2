"""Business licence (营业执照): USCC, registered name, legal representative / operator, address."""
from __future__ import annotations

import re

from documents.extract.lines import Line, all_lines, labelled_values, passes
from documents.extract.gazetteer import correct_admin_prefix
from documents.extract.values import Candidate, choose, field, repaired
from documents.types import ExtractedField, OcrReading
from documents.checksums import USCC_ALPHABET, uscc_is_valid

NAME_ANCHORS = ("名称",)
REPRESENTATIVE_ANCHORS = ("法定代表人", "经营者", "负责人", "投资人", "执行事务合伙人")
ADDRESS_ANCHORS = ("主要经营场所", "经营场所", "营业场所", "住所")
LABELS = (
    "统一社会信用代码", "名称", "类型", "法定代表人", "经营者", "负责人", "投资人", "执行事务合伙人",
    "经营范围", "注册资本", "组成形式", "成立日期", "注册日期", "营业期限", "住所", "经营场所", "营业场所",
    "登记机关",
)
# Letters outside the USCC alphabet are always misread digits there.
_USCC_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5"})
_USCC_TOKEN = re.compile(f"[{USCC_ALPHABET}]{{18,20}}")
_PERSON = re.compile(r"[\u4e00-\u9fff·]{2,15}")


def extract(reading: OcrReading) -> dict[str, ExtractedField]:
    lines = all_lines(reading)
    fields = {
        "uscc": choose(uscc_candidates(lines), uscc_is_valid),
        "company_name": _company_name(lines),
        "legal_representative": _representative(lines),
        "address": _address(reading),
    }
    return {name: value for name, value in fields.items() if value is not None}


def uscc_candidates(lines: list[Line]) -> list[Candidate]:
    candidates = []
    for line in lines:
        text = line.compact.upper().translate(_USCC_LOOKALIKES)
        for match in _USCC_TOKEN.finditer(text):
            token = match.group()
            if len(token) == 18:
                candidates.append(Candidate(token, line.confidence, line.pass_name))
                continue
            # A speck glued to the code: each 18-character window is a weaker reading (one in
            # thirty passes the check by chance), used only when no pass reads the code whole.
            candidates.extend(Candidate(token[i:i + 18], line.confidence * 0.5) for i in range(len(token) - 17))
    return candidates


def _company_name(lines: list[Line]) -> ExtractedField | None:
    for labelled in labelled_values(lines, NAME_ANCHORS, LABELS):
        if len(labelled.value) >= 2:  # registered names start with the place of registration
            return repaired(labelled.value, labelled.confidence, correct_admin_prefix)
    return None


def _representative(lines: list[Line]) -> ExtractedField | None:
    for labelled in labelled_values(lines, REPRESENTATIVE_ANCHORS, LABELS):
        match = _PERSON.search(labelled.value)
        if match:
            return field(match.group(), labelled.confidence)
    return None


def _address(reading: OcrReading) -> ExtractedField | None:
    for lines in passes(reading):
        for labelled in labelled_values(lines, ADDRESS_ANCHORS, LABELS):
            more = labelled.continuation(lines, LABELS)
            value = labelled.value + "".join(line.compact for line in more)
            if value:
                ocr = [labelled.confidence] + [line.confidence for line in more]
                return repaired(value, sum(ocr) / len(ocr), correct_admin_prefix)
    return None
