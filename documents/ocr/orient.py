"""Read a document the right way up: crop it out of the photo, read it, and if the reading fails
its checks, turn the page and read again; the reading that passes (or scores best) wins.

Photos lose their orientation (a phone lying flat, EXIF stripped by a chat app), and a page
read upside down yields text that fails every check, so the checks tell which way is up.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

from documents.fields import extract_fields
from documents.ocr.geometry import crop_to_document
from documents.types import (
    LANDSCAPE_DOCUMENT_TYPES, DocumentType, ExtractedFields, OcrLine, OcrPass, OcrReading,
)

# The fields whose checks say a reading is right: a check character (GB 11643, Luhn, GB 32100)
# or a date in its printed pattern, at the confidence the rules trust. Each entry is a group of
# alternatives: an older licence carries a 15-digit 注册号 where a newer one has its credit code.
KEY_FIELDS: dict[DocumentType, tuple[tuple[str, ...], ...]] = {
    DocumentType.ID_CARD_FRONT: (("id_number",),),
    DocumentType.ID_CARD_BACK: (("valid_until",),),
    DocumentType.BANK_CARD: (("card_number",),),
    # A licence read sideways still yields its credit code (the targeted re-read of the code's line
    # finds it); only the right way up do the labels find their values, so one of those is a key too.
    DocumentType.BUSINESS_LICENSE: (
        ("uscc", "registration_number"), ("company_name", "legal_representative", "address"),
    ),
    # A bill lying on its side still yields some date; its address only reads the right way up.
    DocumentType.ADDRESS_PROOF: (("issue_date",), ("address",)),
}
TRUSTED_CONFIDENCE = 0.6
CARD_TYPES = frozenset({DocumentType.ID_CARD_FRONT, DocumentType.ID_CARD_BACK, DocumentType.BANK_CARD})
CARD_ASPECT = 85.6 / 54
ASPECT_TOLERANCE = 1.3
# A line of at least this many characters whose box is taller than wide (by this factor) was read down the page:
# across, its box would be about as many text heights wide as it has characters.
SIDEWAYS_MIN_CHARACTERS = 4
SIDEWAYS_ASPECT = 1.0
TURNS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}

ReadPasses = Callable[[Image.Image], list[OcrPass]]


@dataclass(frozen=True)
class Oriented:
    turn: int  # degrees counter-clockwise the cropped page was turned before the winning read
    passes: list[OcrPass]
    score: float
    fields: ExtractedFields = field(default_factory=dict)


def read_upright(image: Image.Image, document_type: DocumentType, read: ReadPasses,
                 max_side: int | None = None) -> Oriented:
    page = crop_to_document(image, max_side)
    if not shaped_like(page, document_type):  # the crop found something else (a bright picture on the card)
        page = image  # as crop_to_document leaves a photo in which it finds no document
    best: Oriented | None = None
    tried: list[Oriented] = []
    for turn in candidate_turns(page, document_type):
        turned = page if turn == 0 else page.transpose(TURNS[turn])
        passes = read(turned)
        fields = extract_fields(OcrReading(engine="", pipeline_version="", passes=passes), document_type)
        candidate = Oriented(turn, passes, reading_score(fields, document_type), fields)
        tried.append(candidate)
        if best is None or candidate.score > best.score:
            best = candidate
        if checks_pass(fields, document_type) and reads_across(passes):
            break
    assert best is not None
    return with_identifier_of_other_turns(best, tried, document_type)


def with_identifier_of_other_turns(best: Oriented, tried: list[Oriented], document_type: DocumentType) -> Oriented:
    """The best reading, plus the identifier's line from another turn when only that turn read it.

    A watermark over the credit code can hide it the right way up while a sideways read, useless for
    the labelled fields, still finds it whole and check-valid. The identifier alone is added, as read by
    each pass of that turn that holds it, without a box (another page geometry) and nothing else of
    that line (a sideways line runs every label and value together).
    """
    groups = KEY_FIELDS.get(document_type, ())
    if not groups or any(_trusted(best.fields, name) for name in groups[0]):
        return best
    for other in tried:
        found = [other.fields[name].value for name in groups[0] if _trusted(other.fields, name)]
        if other is best or not found:
            continue
        extra = []
        for ocr_pass in other.passes:
            lines = [OcrLine(text=found[0], confidence=line.confidence) for line in ocr_pass.lines
                     if found[0] in line.text.replace(" ", "").upper()]
            if lines:
                extra.append(OcrPass(name=f"{ocr_pass.name}_turn{other.turn}", lines=lines))
        return Oriented(best.turn, best.passes + extra, best.score, best.fields)
    return best


def shaped_like(page: Image.Image, document_type: DocumentType) -> bool:
    """Whether a cropped page has its document's proportions, within what perspective leaves of them.

    ID and bank cards are 85.6 × 54 mm (ISO/IEC 7810 ID-1); a near-square crop of a card photo is a
    picture or a logo on it, not the card (card-guaili-20: 489×473 out of a 491×793 photo).
    """
    if document_type not in CARD_TYPES:
        return True
    aspect = max(page.size) / max(min(page.size), 1)
    return CARD_ASPECT / ASPECT_TOLERANCE <= aspect <= CARD_ASPECT * ASPECT_TOLERANCE


def candidate_turns(page: Image.Image, document_type: DocumentType) -> tuple[int, ...]:
    """Turns to try, likeliest first; a landscape document seen in portrait is only tried on its sides.

    Business licences are printed both ways (正本 and the 2019 副本 landscape, the 2015-2017 副本 in
    portrait), so every turn is tried, upright first.
    """
    if document_type == DocumentType.BUSINESS_LICENSE:
        return (0, 90, 270, 180) if page.height > page.width * 1.05 else (0, 180, 90, 270)
    if document_type in LANDSCAPE_DOCUMENT_TYPES:
        return (90, 270) if page.height > page.width * 1.05 else (0, 180)
    return (0, 180, 90, 270)


def reads_across(passes: list[OcrPass]) -> bool:
    """Whether the text ran across the page as read, not down it. The detector also finds the lines of a page
    lying on its side, as boxes taller than wide, and such a reading can pass the checks (a licence's credit
    code and its name by their shapes) while the labels and values of the other rows are run together
    (经营范围法定代表人…, 唐玉勇个体工商户: tpl-photo-0010's operator lost): then the other turns are read too."""
    lines = [line for ocr_pass in passes[:1] for line in ocr_pass.lines
             if line.box is not None and len(line.text.strip()) >= SIDEWAYS_MIN_CHARACTERS]
    tall = sum(1 for line in lines if line.box[3] > SIDEWAYS_ASPECT * line.box[2])
    return tall * 2 < len(lines) or not lines


def checks_pass(fields: ExtractedFields, document_type: DocumentType) -> bool:
    return all(any(_trusted(fields, name) for name in group) for group in KEY_FIELDS.get(document_type, ()))


def _trusted(fields: ExtractedFields, name: str) -> bool:
    return name in fields and fields[name].confidence >= TRUSTED_CONFIDENCE


def reading_score(fields: ExtractedFields, document_type: DocumentType) -> float:
    """Key fields count most, then every other field read; each by its confidence."""
    keys = {name for group in KEY_FIELDS.get(document_type, ()) for name in group}
    return sum(field.confidence * (3 if name in keys else 1) for name, field in fields.items())
