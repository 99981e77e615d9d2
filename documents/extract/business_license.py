"""Business licence (营业执照): USCC (or an older licence's 注册号), registered name, legal representative /
operator, address.

Real licences come in several layouts (the 2019 副本 landscape, the 2015-2017 副本 portrait, the 正本, the
个体工商户 variant with 经营者 / 经营场所 / 组成形式, the pre-2016 licence with a 15-digit 注册号); what they
share are the labels, printed letter-spaced (名　　称), which the detector cuts apart. Each pass's lines
are first repaired for that (`_layout_lines`), then values are found after their labels.
"""
from __future__ import annotations

import re

from documents.extract.gazetteer import correct_admin_prefix, starts_with_division
from documents.extract.lines import (
    Line, find_anchor, first_character_left, labelled_values, passes, rejoin_spaced_labels, split_before_labels,
)
from documents.extract.values import Candidate, choose, field, repair_digits, repaired
from documents.types import ExtractedField, OcrReading
from documents.checksums import USCC_ALPHABET, registration_number_is_valid, uscc_is_valid

NAME_ANCHORS = ("名称",)
# 企业法人营业执照 (before 2014) prints 法定代表人姓名.
REPRESENTATIVE_ANCHORS = ("法定代表人姓名", "法定代表人", "经营者", "负责人", "投资人", "执行事务合伙人")
ADDRESS_ANCHORS = ("主要经营场所", "经营场所", "营业场所", "住所")
LABELS = (
    "统一社会信用代码", "注册号", "名称", "类型", "主体类型", "公司类型", "法定代表人", "经营者", "负责人", "投资人",
    "执行事务合伙人", "经营范围", "注册资本", "实收资本", "组成形式", "成立日期", "注册日期", "营业期限", "住所",
    "经营场所", "营业场所", "登记机关",
)
# Labels that start the right-hand column of the landscape 副本, on the row of the left column's text.
_SECOND_COLUMN_LABELS = ("注册资本", "成立日期", "营业期限") + ADDRESS_ANCHORS
# Letters outside the USCC alphabet are always misread digits there.
_USCC_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5"})
_USCC_TOKEN = re.compile(f"[{USCC_ALPHABET}]{{18,20}}")
_USCC_LABEL = "信用代码"
_AUTHORITIES = "123456789ANY"
# The engines' targeted re-read of the credit code's line (documents.ocr LINE_PLANS) is named so.
USCC_REREAD_PASS = "uscc_chars"
_PERSON = re.compile(r"[\u4e00-\u9fff·]{2,15}")
# A person's name alone on its segment, as a representative's value stands when its label is lost.
_PERSON_ALONE = re.compile(r"[\u4e00-\u9fff·]{2,4}")
_REPRESENTATIVE_FIRSTS = tuple(dict.fromkeys(anchor[0] for anchor in REPRESENTATIVE_ANCHORS))
# 注册号 as printed and as misread (注量号, 注册亏): two of its three characters, then 15 digits.
_REGISTRATION = re.compile(r"(?:注.号|注册.|.册号)[:：]?([0-9]{15})(?![0-9])")
# How registered names end: an enterprise, a sole trader's shop, a branch. Only endings that ordinary
# text and watermarks (…网站, …场所) do not share: a name found without its label must look like one.
_ORGANISATION = re.compile(r"(公司|厂|店|商行|经营部|门市部|服务部|中心|合作社|企业|工作室|事务所|合伙\)|坊|铺)$")
# Values of 类型 that end like a name but are not one.
_COMPANY_TYPES = re.compile(r"^(有限责任公司|股份有限公司|一人有限|个人独资|个体工商户|其他有限|有限合伙|外商|合伙企业|分公司)")
_NOT_A_NAME = ("监制", "管理总局", "公示系统", "营业执照", "登记机关", "市场监督管理", "个体工商户", "经营范围")
# A name alone on its segment: Chinese characters and brackets, nothing of a sentence (、。；=) or a number.
_NAME_CHARACTERS = re.compile(r"[\u4e00-\u9fff（）()·]{4,40}")


def extract(reading: OcrReading) -> dict[str, ExtractedField]:
    by_pass = [_layout_lines(lines) for lines in passes(reading)]
    lines = [line for pass_lines in by_pass for line in pass_lines]
    fields = {
        "uscc": choose(uscc_candidates(lines), uscc_is_valid),
        "registration_number": choose(registration_candidates(lines), registration_number_is_valid),
        "company_name": _company_name(lines),
        "legal_representative": _representative(lines),
        "address": _address(by_pass),
    }
    code, registration = fields["uscc"], fields["registration_number"]
    if code is not None and registration is not None:
        # A licence of the 三证合一 transition prints both; the credit code is the one that counts. An older
        # licence has none: a credit code that fails its check there is a guess from another number.
        if uscc_is_valid(code.value):
            fields["registration_number"] = None
        elif registration_number_is_valid(registration.value):
            fields["uscc"] = None
    if fields["uscc"] is None and registration is not None and registration_number_is_valid(registration.value):
        # Where the credit code is expected, an older licence's 注册号 stands in for it: the rules know a
        # 15-digit code as such (uscc_legacy_registration_number, for staff), not as a missing field.
        fields["uscc"] = registration
    return {name: value for name, value in fields.items() if value is not None}


def _layout_lines(lines: list[Line]) -> list[Line]:
    lines = split_before_labels(lines, _SECOND_COLUMN_LABELS, _starts_second_column)
    return rejoin_spaced_labels(lines, LABELS, {"名称": looks_like_a_name,
                                                **{label: starts_with_division for label in ADDRESS_ANCHORS}})


def _starts_second_column(label: str, value: str) -> bool:
    """A right-column label inside a line: an address label only when a place name follows (else it is text)."""
    return label not in ADDRESS_ANCHORS or starts_with_division(value)


def looks_like_a_name(text: str) -> bool:
    """Whether `text` reads as a registered name: a few characters ending as enterprises and shops do."""
    text = re.sub(r"[)）]$", "", text) if text.endswith(("合伙)", "合伙）")) else text
    return (_NAME_CHARACTERS.fullmatch(text) is not None and _ORGANISATION.search(text) is not None
            and not _COMPANY_TYPES.match(text) and not any(word in text for word in _NOT_A_NAME)
            and not any(text.startswith(label) for label in LABELS))


def uscc_candidates(lines: list[Line]) -> list[Candidate]:
    candidates = []
    for line in lines:
        text = line.compact.upper().translate(_USCC_LOOKALIKES)
        for match in _USCC_TOKEN.finditer(text):
            token = match.group()
            if len(token) == 18:
                if is_structured_uscc(token):
                    candidates.append(Candidate(token, line.confidence, line.pass_name))
                continue
            # A speck glued to the code: each 18-character window is a weaker reading (one in thirty
            # passes the check by chance), used only beside the code's own label or in the re-read of
            # the code's line: elsewhere a long run is another number (the old 证照编号, a page read
            # sideways) and a window a made-up code.
            if find_anchor(line.compact, _USCC_LABEL) is not None or line.pass_name.startswith(USCC_REREAD_PASS):
                candidates.extend(Candidate(token[i:i + 18], line.confidence * 0.5) for i in range(len(token) - 17)
                                  if is_structured_uscc(token[i:i + 18]))
    return candidates


def is_structured_uscc(code: str) -> bool:
    """GB 32100's layout: a registering authority (1-9, A, N, Y), then after the type a six-digit region code.

    A garbage reading (a page read sideways or upside down) passes the check character one time in
    thirty-one; it almost never also has this layout.
    """
    return code[0] in _AUTHORITIES and code[2:8].isdigit()


def registration_candidates(lines: list[Line]) -> list[Candidate]:
    """The 15-digit 注册号 of a licence issued before the credit code, only beside its label."""
    candidates = []
    for line in lines:
        for match in _REGISTRATION.finditer(repair_digits(line.compact)):
            candidates.append(Candidate(match.group(1), line.confidence, line.pass_name))
    return candidates


def _company_name(lines: list[Line]) -> ExtractedField | None:
    for labelled in labelled_values(lines, NAME_ANCHORS, LABELS):
        if len(labelled.value) >= 2:  # registered names start with the place of registration
            return repaired(labelled.value, labelled.confidence, correct_admin_prefix)
    # The label lost (glare, a watermark over it): the first line shaped like a registered name, less sure.
    for line in lines:
        if looks_like_a_name(line.compact):
            return repaired(line.compact, line.confidence * 0.7, correct_admin_prefix)
    return None


def _representative(lines: list[Line]) -> ExtractedField | None:
    for labelled in labelled_values(lines, REPRESENTATIVE_ANCHORS, LABELS):
        match = _PERSON.search(labelled.value)
        if match:
            return field(match.group(), labelled.confidence)
    # The letter-spaced label's later characters not detected (经　　营　　者 found as 经 alone): a person's name
    # alone on the row of a lone first character of a representative's label. Less sure than a labelled value.
    for line in lines:
        if _PERSON_ALONE.fullmatch(line.compact) and any(
                first_character_left(line, first, lines) for first in _REPRESENTATIVE_FIRSTS):
            return field(line.compact, line.confidence * 0.9)
    return None


def _address(by_pass: list[list[Line]]) -> ExtractedField | None:
    for lines in by_pass:
        for labelled in labelled_values(lines, ADDRESS_ANCHORS, LABELS):
            more = labelled.continuation(lines, LABELS)
            value = labelled.value + "".join(line.compact for line in more)
            if value:
                ocr = [labelled.confidence] + [line.confidence for line in more]
                return repaired(value, sum(ocr) / len(ocr), correct_admin_prefix)
    return None
