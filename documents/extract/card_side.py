"""Which side of a resident ID card a picture shows, told from what OCR read on it.

The 人像面 (front) carries the field labels 姓名 性别 民族 出生 住址 公民身份号码 and an
18-character number; the 国徽面 (back) carries 中华人民共和国 居民身份证 and the labels
签发机关 有效期限 with a validity range. A picture with the marks of another document (a bank
card, a licence, a bill or lease) or with legible text and no ID card marks at all is not an
ID card. Too little legible text (a blurred or dark photo) gives no verdict, and so does a
picture showing both sides (a photocopy of the card): the quality checks and the slot it was
uploaded in speak for those pictures.

Pure: OCR lines in, a verdict out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from documents.extract.lines import Line, find_anchor
from documents.extract.values import repair_digits
from documents.checksums import ric_birth_date


SIDE_FIELD = "card_side"  # the extracted field that carries the verdict for the rules


class CardSide(StrEnum):
    FRONT = "front"
    BACK = "back"
    NOT_ID_CARD = "not_id_card"


@dataclass(frozen=True)
class SideVerdict:
    side: CardSide | None  # None: too little legible text to tell
    confidence: float
    front_marks: tuple[str, ...]
    back_marks: tuple[str, ...]
    other_marks: tuple[str, ...]  # words of other documents


FRONT_LABELS = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")
BACK_LABELS = ("中华人民共和国", "居民身份证", "签发机关", "有效期限")
# Words printed on the other documents merchants send, never on an ID card. (A lease cites
# 中华人民共和国民法典 and a bill's period looks like a validity range: these outweigh that.)
OTHER_DOCUMENT_WORDS = (
    "银行", "银联", "UnionPay", "借记卡", "信用卡", "储蓄卡", "开户许可证", "账号", "核准号",
    "营业执照", "统一社会信用代码", "经营范围", "登记机关", "注册资本",
    "合同", "租赁", "出租方", "承租方", "电费", "水费", "缴费", "账单", "户号",
)
NUMBER_MARK = "id_number"
VALIDITY_MARK = "validity_range"
# The number alone identifies the front (nothing else prints 17 digits with a birth date in them);
# a single label could be a misread, so a side needs marks worth at least this much...
MARKS_FOR_A_SIDE = 2
# ...this much more than everything else found...
MARGIN_OVER_THE_REST = 2
# ...and at most one stray mark of anything else: a photocopy of both sides shows both in full.
STRAY_MARKS = 1
# Legible: characters on lines OCR is fairly sure of. A sharp picture of any document has dozens.
LEGIBLE_LINE_CONFIDENCE = 0.6
LEGIBLE_CHARS_FOR_NOT_ID_CARD = 8

_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
_VALIDITY = re.compile(r"\d{4}[.\-/年]?\d{2}[.\-/月]?\d{2}日?[-—–~至]+(?:\d{4}[.\-/年]?\d{2}[.\-/月]?\d{2}|长期)")
_LEGIBLE_CHAR = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")


def classify_card_side(lines: list[Line]) -> SideVerdict:
    front, back, other = front_marks(lines), back_marks(lines), _labels(lines, OTHER_DOCUMENT_WORDS)
    front_score, back_score, other_score = _score(front), _score(back), _score(other)
    side: CardSide | None = None
    marks: dict[str, float] = {}
    if _outweighs(front_score, back_score + other_score):
        side, marks = CardSide.FRONT, front
    elif _outweighs(back_score, front_score + other_score):
        side, marks = CardSide.BACK, back
    elif _outweighs(other_score, front_score + back_score) or (
            not front and not back and _legible_chars(lines) >= LEGIBLE_CHARS_FOR_NOT_ID_CARD):
        side, marks = CardSide.NOT_ID_CARD, other
    if side is None:
        confidence = 0.0
    elif marks:
        confidence = max(marks.values())  # the surest mark: one clear label or number is enough evidence
    else:
        confidence = max(line.confidence for line in lines if line.confidence >= LEGIBLE_LINE_CONFIDENCE)
    return SideVerdict(side, round(confidence, 3), tuple(sorted(front)), tuple(sorted(back)), tuple(sorted(other)))


def _outweighs(score: int, rest: int) -> bool:
    return score >= MARKS_FOR_A_SIDE and rest <= STRAY_MARKS and score >= rest + MARGIN_OVER_THE_REST


def front_marks(lines: list[Line]) -> dict[str, float]:
    """The front's labels and its number, each with the confidence of its surest line."""
    marks = _labels(lines, FRONT_LABELS)
    for line in lines:
        text = repair_digits(line.compact, keep="Xx").upper()
        if any(ric_birth_date(m.group()) for m in _ID_NUMBER.finditer(text)):
            marks[NUMBER_MARK] = max(marks.get(NUMBER_MARK, 0.0), line.confidence)
    return marks


def back_marks(lines: list[Line]) -> dict[str, float]:
    """The back's labels and its validity range, each with the confidence of its surest line."""
    marks = _labels(lines, BACK_LABELS)
    for line in lines:
        if _VALIDITY.search(repair_digits(line.compact)):
            marks[VALIDITY_MARK] = max(marks.get(VALIDITY_MARK, 0.0), line.confidence)
    return marks


def _labels(lines: list[Line], labels: tuple[str, ...]) -> dict[str, float]:
    """Each label found anywhere in the text, with the confidence of its surest line."""
    found: dict[str, float] = {}
    for line in lines:
        for label in labels:
            if find_anchor(line.compact, label) is not None:
                found[label] = max(found.get(label, 0.0), line.confidence)
    return found


def _score(marks: dict[str, float]) -> int:
    return sum(2 if name == NUMBER_MARK else 1 for name in marks)


def _legible_chars(lines: list[Line]) -> int:
    return sum(len(_LEGIBLE_CHAR.findall(line.compact)) for line in lines if line.confidence >= LEGIBLE_LINE_CONFIDENCE)
