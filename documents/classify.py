"""What an upload is, told before its fields are read: which document, a premises photo, blank, or other.

Cheap cues first: the pixels (one colour → blank; a colourful picture without paper → a photo), then the
text OCR already read, matched against the words each document prints (营业执照, 签发机关, 银联, …) after
chi_sim's spaces between Chinese characters are removed. A kind is `sure` only when its marks clearly
outweigh every other kind's: only a sure verdict may refuse an upload; anything less is read as usual
(doubt goes to staff, never to the merchant).

Pure: a decoded image and/or an `OcrReading` in, a `Classification` out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from PIL import Image

from documents.checksums import luhn_is_valid, ric_birth_date, uscc_is_valid
from documents.extract.card_side import NUMBER_MARK, VALIDITY_MARK, back_marks, front_marks
from documents.extract.lines import Line, all_lines, find_anchor
from documents.extract.values import repair_digits
from documents.types import DocumentType, OcrReading

KIND_FIELD = "document_kind"  # the extracted field carrying a sure verdict for the rules


class Kind(StrEnum):
    ID_CARD_FRONT = "id_card_front"
    ID_CARD_BACK = "id_card_back"
    BANK_CARD = "bank_card"
    BUSINESS_LICENSE = "business_license"
    ACCOUNT_PERMIT = "account_permit"
    ADDRESS_PROOF = "address_proof"
    # Storefront and interior photos are told apart by no cue we trust: one kind fits both slots.
    PREMISES_PHOTO = "premises_photo"
    BLANK = "blank"  # one colour: an empty page, a lens cap, a solid-colour screen
    OTHER = "other"  # legible, but none of the documents we take


SLOT_KINDS: dict[DocumentType, frozenset[Kind]] = {
    DocumentType.ID_CARD_FRONT: frozenset({Kind.ID_CARD_FRONT}),
    DocumentType.ID_CARD_BACK: frozenset({Kind.ID_CARD_BACK}),
    DocumentType.BANK_CARD: frozenset({Kind.BANK_CARD}),
    DocumentType.BUSINESS_LICENSE: frozenset({Kind.BUSINESS_LICENSE}),
    DocumentType.ACCOUNT_PERMIT: frozenset({Kind.ACCOUNT_PERMIT}),
    DocumentType.ADDRESS_PROOF: frozenset({Kind.ADDRESS_PROOF}),
    DocumentType.STOREFRONT_PHOTO: frozenset({Kind.PREMISES_PHOTO}),
    DocumentType.INTERIOR_PHOTO: frozenset({Kind.PREMISES_PHOTO}),
}


def fits_slot(kind: Kind | str | None, slot: DocumentType | str) -> bool:
    """Whether a picture of `kind` belongs in `slot` (unknown kinds fit: only a known other kind does not)."""
    if kind is None or kind not in set(Kind):
        return True
    return Kind(kind) in SLOT_KINDS.get(DocumentType(slot), frozenset())


@dataclass(frozen=True)
class Appearance:
    """Pixel statistics of a small copy of the picture."""

    width: int
    height: int
    off_colour_share: float  # share of pixels far from the picture's median colour
    median_colour: tuple[int, int, int]
    colourfulness: float  # Hasler & Süsstrunk (2003): ~0 grey, ~15 a printed page, > 40 a colourful photo
    paper_share: float  # share of bright, nearly grey pixels: paper

    @property
    def blank(self) -> bool:
        return self.off_colour_share <= BLANK_MAX_OFF_COLOUR_SHARE

    @property
    def photo_like(self) -> bool:
        return self.colourfulness >= PHOTO_MIN_COLOURFULNESS and self.paper_share <= PHOTO_MAX_PAPER_SHARE


@dataclass(frozen=True)
class Classification:
    kind: Kind | None  # the best guess; None when nothing at all points anywhere
    sure: bool  # the guess clearly outweighs everything else: only then may it refuse an upload
    confidence: float
    marks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per kind, the cues found
    legible_chars: int = 0
    appearance: Appearance | None = None

    def evidence(self) -> dict[str, object]:
        """What staff see: the kind, the cues behind it, and the pixel measures."""
        found: dict[str, object] = {"kind": self.kind and str(self.kind), "sure": self.sure,
                                    "confidence": self.confidence, "legible_chars": self.legible_chars,
                                    "marks": {k: list(v) for k, v in self.marks.items() if v}}
        if self.appearance is not None:
            found["off_colour_share"] = round(self.appearance.off_colour_share, 4)
            found["colourfulness"] = round(self.appearance.colourfulness, 1)
        return found


# --- pixels -------------------------------------------------------------------------------------------------
SAMPLE_SIDE = 256
# A pixel this far (0..255, in its farthest channel) from the median colour is "something on the page": JPEG
# noise and a phone screen's moiré stay well inside it; the faintest printed text and fog-bound trees do not.
OFF_COLOUR_DISTANCE = 24
# At most this share of such pixels is still one colour (a speck of dust, a tiny stray mark).
BLANK_MAX_OFF_COLOUR_SHARE = 0.002
PHOTO_MIN_COLOURFULNESS = 25.0
PHOTO_MAX_PAPER_SHARE = 0.5  # a photo printed or scanned onto a page keeps a white margin


def appearance(image: Image.Image) -> Appearance:
    """Pixel statistics on a copy at most `SAMPLE_SIDE` px long (box-averaged, so thin text stays visible)."""
    small = image.convert("RGB")
    if max(small.size) > SAMPLE_SIDE:
        ratio = SAMPLE_SIDE / max(small.size)
        small = small.resize((max(1, round(small.width * ratio)), max(1, round(small.height * ratio))),
                             Image.Resampling.BOX)
    pixels = np.asarray(small, dtype=np.int16).reshape(-1, 3)
    median = np.median(pixels, axis=0)
    off = np.abs(pixels - median).max(axis=1) > OFF_COLOUR_DISTANCE
    red, green, blue = (pixels[:, i].astype(np.float32) for i in range(3))
    rg, yb = red - green, 0.5 * (red + green) - blue
    colourfulness = float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
    spread = pixels.max(axis=1) - pixels.min(axis=1)
    paper = (pixels.min(axis=1) >= 170) & (spread <= 30)
    return Appearance(
        width=image.width, height=image.height, off_colour_share=float(off.mean()),
        median_colour=tuple(int(v) for v in median), colourfulness=round(colourfulness, 2),
        paper_share=float(paper.mean()),
    )


# --- text ---------------------------------------------------------------------------------------------------
# Words printed on each document (after normalisation: half-width, no spaces between Chinese characters).
# Each found word is one mark; strong cues (a valid number of the document's own kind) count two.
WORDS: dict[Kind, tuple[str, ...]] = {
    Kind.BANK_CARD: ("银联", "UnionPay", "借记卡", "信用卡", "储蓄卡", "贷记卡", "QuickPass", "闪付",
                     "DEBIT", "CREDIT", "VALID", "THRU", "金融IC卡", "银行卡"),
    Kind.BUSINESS_LICENSE: ("营业执照", "统一社会信用代码", "法定代表人", "经营范围", "登记机关", "注册资本",
                            "成立日期", "营业期限", "经营者", "组成形式", "经营场所", "国家企业信用信息公示系统",
                            "市场主体", "注册号", "副本", "正本"),
    Kind.ACCOUNT_PERMIT: ("开户许可证", "基本存款账户", "核准号", "开户银行", "存款人", "账户性质", "中国人民银行",
                          "基本户", "编号"),
    Kind.ADDRESS_PROOF: ("电费", "水费", "燃气", "租赁合同", "房屋租赁", "出租方", "承租方", "出租人", "承租人",
                         "租金", "户号", "缴费", "账单", "用电地址", "用水地址", "电量", "千瓦时", "物业", "供电",
                         "自来水", "燃气费", "抄表", "租赁期限"),
    # Documents merchants send by mistake that we do not take: a driving licence prints 住址 and 有效期限 too.
    Kind.OTHER: ("驾驶证", "行驶证", "机动车", "护照", "PASSPORT", "户口簿", "常住人口登记卡", "社会保障卡", "结婚证",
                 "著作权", "登记证书", "毕业证", "学位证", "不动产权", "准驾车型"),
}
# Marks that identify a kind by themselves: two marks' worth each.
STRONG_WORDS = frozenset({"银联", "UnionPay", "营业执照", "统一社会信用代码", "开户许可证", "基本存款账户",
                          "租赁合同", "房屋租赁", "电费", "水费", "燃气费", "用电地址", "驾驶证", "行驶证", "护照",
                          "PASSPORT", "户口簿", "社会保障卡"})
CARD_NUMBER_MARK = "card_number"
USCC_MARK = "uscc"
# (有效期限 is not strong: bank cards print it too, beside VALID THRU.)
STRONG_MARKS = STRONG_WORDS | {CARD_NUMBER_MARK, USCC_MARK, NUMBER_MARK, VALIDITY_MARK, "公民身份号码", "签发机关"}

# A kind is sure when its marks are worth at least this much, from at least two different cues (one label
# can be a misread, or printed on another document too)...
SURE_SCORE = 3
SURE_MARKS = 2
# ...this much more than the next kind's...
SURE_MARGIN = 2
# ...and its surest cue is on a line OCR is fairly sure of.
# Legible: characters on lines OCR is fairly sure of. A sharp picture of any document has dozens.
LEGIBLE_LINE_CONFIDENCE = 0.6
LEGIBLE_CHARS_FOR_OTHER = 12

_LEGIBLE_CHAR = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")
_GROUPED_CARD = re.compile(r"(?<![0-9])(?:[0-9]{4} ){3}[0-9]{4}(?: [0-9]{1,3})?(?![0-9])|(?<![0-9])[0-9]{6} [0-9]{10,13}(?![0-9])")
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]{16,19}(?![0-9])")
_USCC_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUWXY]{18}(?![0-9A-Z])")


def classify(*, image: Image.Image | None = None, reading: OcrReading | None = None) -> Classification:
    """What the picture is. `image`: the decoded upload (pixel cues); `reading`: what OCR read on it (text cues).
    Either may be missing: photos of premises are not read, and stored documents are judged on their reading."""
    look = appearance(image) if image is not None else None
    if look is not None and look.blank:
        return Classification(Kind.BLANK, True, round(1.0 - look.off_colour_share, 3),
                              {str(Kind.BLANK): ("one_colour",)}, 0, look)
    lines = all_lines(reading) if reading is not None else []
    marks = text_marks(lines)
    legible = legible_chars(lines)
    scores = {kind: _score(found) for kind, found in marks.items()}
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    named = {str(kind): tuple(sorted(found)) for kind, found in marks.items() if found}
    if best_score >= 2:
        confidence = max(marks[best].values())
        sure = (best_score >= SURE_SCORE and len(marks[best]) >= SURE_MARKS and best_score >= runner_up + SURE_MARGIN
                and confidence >= LEGIBLE_LINE_CONFIDENCE)
        return Classification(best, sure, round(confidence * (1.0 if sure else 0.5), 3), named, legible, look)
    if legible >= LEGIBLE_CHARS_FOR_OTHER and best_score <= 1:
        # Plenty of text and not one word of any document we take. Never sure: a document we read badly
        # looks the same, and that is for staff.
        return Classification(Kind.OTHER, False, 0.5, named, legible, look)
    if look is not None and look.photo_like:
        return Classification(Kind.PREMISES_PHOTO, False, 0.5, {**named, str(Kind.PREMISES_PHOTO): ("colourful",)},
                              legible, look)
    if look is not None:  # a picture, neither a photo nor anything legible: a guess, never acted on
        return Classification(Kind.OTHER, False, 0.0, named, legible, look)
    return Classification(best if best_score else None, False, 0.0, named, legible, look)


def text_marks(lines: list[Line]) -> dict[Kind, dict[str, float]]:
    """Per document kind, each cue found and the confidence of the surest line showing it."""
    marks: dict[Kind, dict[str, float]] = {Kind.ID_CARD_FRONT: front_marks(lines), Kind.ID_CARD_BACK: back_marks(lines)}
    # (Kind.OTHER's words are documents we do not take; blank and premises photos print nothing.)
    for kind, words in WORDS.items():
        marks[kind] = {}
        for line in lines:
            for word in words:
                if _has_word(line.compact, word):
                    marks[kind][word] = max(marks[kind].get(word, 0.0), line.confidence)
    for line in lines:
        if _card_number_in(line):
            _mark(marks[Kind.BANK_CARD], CARD_NUMBER_MARK, line.confidence)
        if any(uscc_is_valid(m.group()) for m in _USCC_TOKEN.finditer(line.compact.upper())):
            _mark(marks[Kind.BUSINESS_LICENSE], USCC_MARK, line.confidence)
    return marks


def _mark(found: dict[str, float], name: str, confidence: float) -> None:
    found[name] = max(found.get(name, 0.0), confidence)


def legible_chars(lines: list[Line]) -> int:
    return sum(len(_LEGIBLE_CHAR.findall(line.compact)) for line in lines if line.confidence >= LEGIBLE_LINE_CONFIDENCE)


def _has_word(compact: str, word: str) -> bool:
    if word.isascii():
        return word.upper() in compact.upper()
    return find_anchor(compact, word) is not None


def _card_number_in(line: Line) -> bool:
    """A card number: grouped as cards print it (4-4-4-4[-3], 6-13), or a Luhn-valid run of card length that
    is not an ID number (Gansu's ID numbers start with 62, like UnionPay cards)."""
    text = repair_digits(line.text)
    if _GROUPED_CARD.search(text):
        return True
    for match in _DIGIT_RUN.finditer(text.replace(" ", "")):
        digits = match.group()
        if luhn_is_valid(digits) and not (len(digits) == 18 and ric_birth_date(digits)):
            return True
    return False


def _score(found: dict[str, float]) -> int:
    return sum(2 if name in STRONG_MARKS else 1 for name in found)
