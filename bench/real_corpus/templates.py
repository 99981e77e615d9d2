"""Documents printed on real blank templates: the fetched blanks of the corpus, filled with a generated identity.

Issue 15's "60 complete applications whose documents were printed from real templates" are rebuilt here at
bench time (never committed, like every fetched image): the blank ID-card sides of airob0t/idcardgenerator
(via etcxy/idcard_generator) and Mr-guqin/generator-tools, the Java generator's blank 2019 licence
(`yyzz.jpg`) and a VISA card mock-up, each filled at the places their own layout leaves for the values with
one `documents.samples` identity (names, ID number, credit code, card number agree across an application),
then taken through `documents/samples/degrade.py` at scan or photo level like the generated documents.

What the templates print is not changed except where a value goes: the licence's address, type and
(for cards) the mock-up's number and holder are erased ink-first (dark pixels replaced by the paper around
them, so the watermark pattern stays) before the new value is written.
"""
from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.real_corpus.corpus import CACHE, ImageNotMaterialized
from documents.samples.applications import DOCUMENTS_BY_TYPE, SampleApplication, application_payload, encode_jpeg
from documents.samples.degrade import apply_level
from documents.samples.fonts import font
from documents.samples.identity import SampleIdentity, make_identity
from documents.samples.render import render
from documents.types import DocumentType as D

RGB = tuple[int, int, int]
INK: RGB = (22, 22, 26)
# ID cards are drawn ~1250 px across (≈370 dpi), the size a phone photo of a card has: the blanks themselves
# are 950–1080 px, and a card that small falls under the 1000 px gate once photographed with the desk around it.
CARD_SCALE = 1250 / 950
# Which corpus items serve as blanks, per document type (ids in manifest.yaml).
TEMPLATE_IDS: dict[D, tuple[str, ...]] = {
    D.ID_CARD_FRONT: ("tpl-id-front-etcxy", "tpl-id-front-guqin-m", "tpl-id-front-guqin-f"),
    D.ID_CARD_BACK: ("tpl-id-back-etcxy",),
    D.BANK_CARD: ("card-template-visa",),
    D.BUSINESS_LICENSE: ("tpl-license-guqin",),
}
PORTRAIT_ID = "other-portrait"  # pasted into the etcxy front, whose photo area is empty
TEMPLATE_DOCUMENT_TYPES = frozenset(TEMPLATE_IDS)


def _open(item_id: str, cache=CACHE) -> Image.Image:
    found = sorted(cache.glob(f"{item_id}.*"))
    if not found:
        raise ImageNotMaterialized(item_id, cache)
    return Image.open(found[0]).convert("RGB")


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, face: ImageFont.FreeTypeFont,
          fill: RGB = INK, tracking: float = 0.0) -> float:
    """Left-aligned text whose vertical middle is at xy[1]; returns the end x."""
    x, y = xy
    for ch in text if tracking else [text]:
        draw.text((x, y), ch, font=face, fill=fill, anchor="lm")
        x += face.getlength(ch) + tracking
    return x


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and face.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + ([line] if line else [])


def _erase_ink(image: Image.Image, box: tuple[int, int, int, int], *, dark_ink: bool = True,
               threshold: int = 200, grow: int = 7) -> None:
    """Remove printed strokes inside `box`: ink pixels take the median colour of the non-ink pixels around them."""
    region = np.asarray(image.crop(box).convert("RGB")).astype(float)
    luminance = region @ np.array([0.299, 0.587, 0.114])
    ink = luminance < threshold if dark_ink else luminance > threshold
    ink = np.asarray(Image.fromarray((ink * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(grow))) > 0
    if ink.all():
        return
    background = np.median(region[~ink], axis=0)
    region[ink] = background
    image.paste(Image.fromarray(region.astype(np.uint8)), box[:2])


# --- ID card front ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FrontLayout:
    """Where a template's values go, in pixels of the prepared template (left x, middle y)."""
    scale: float
    crop: tuple[int, int, int, int] | None
    name: tuple[int, int]
    sex: tuple[int, int]
    ethnicity: tuple[int, int]
    year: tuple[int, int]
    month_centre: tuple[int, int]
    day_centre: tuple[int, int]
    address: tuple[int, int]
    address_width: int
    line_height: int
    id_number: tuple[int, int]
    size: int
    portrait: tuple[int, int, int, int] | None  # box to paste a portrait into, when the blank has none

    def scaled(self, factor: float) -> "FrontLayout":
        """The same layout on the template enlarged `factor` times more."""
        def s(values):
            return None if values is None else tuple(round(v * factor) for v in values)
        return FrontLayout(scale=self.scale * factor, crop=self.crop, name=s(self.name), sex=s(self.sex),
                           ethnicity=s(self.ethnicity), year=s(self.year), month_centre=s(self.month_centre),
                           day_centre=s(self.day_centre), address=s(self.address),
                           address_width=round(self.address_width * factor), line_height=round(self.line_height * factor),
                           id_number=s(self.id_number), size=round(self.size * factor), portrait=s(self.portrait))


FRONT_LAYOUTS: dict[str, FrontLayout] = {
    # 1240x877 upper half of the two-sided blank, cropped to the card (950x602).
    "tpl-id-front-etcxy": FrontLayout(
        scale=1.0, crop=(140, 240, 1090, 842), name=(190, 110), sex=(190, 180), ethnicity=(392, 180),
        year=(190, 250), month_centre=(357, 250), day_centre=(462, 250), address=(190, 318), address_width=470,
        line_height=46, id_number=(340, 500), size=34, portrait=(660, 70, 900, 370)).scaled(CARD_SCALE),
    # 540x340 blanks with a stock portrait, doubled to 1080x680.
    "tpl-id-front-guqin-m": FrontLayout(
        scale=2.0, crop=None, name=(190, 88), sex=(190, 178), ethnicity=(412, 178), year=(190, 262),
        month_centre=(378, 262), day_centre=(482, 262), address=(190, 352), address_width=450, line_height=46,
        id_number=(330, 575), size=36, portrait=None).scaled(1250 / 1080),
}
FRONT_LAYOUTS["tpl-id-front-guqin-f"] = FRONT_LAYOUTS["tpl-id-front-guqin-m"]


def id_front(identity: SampleIdentity, rng: random.Random, cache=CACHE) -> Image.Image:
    choices = ("tpl-id-front-etcxy",) + (("tpl-id-front-guqin-m",) if identity.sex == "男" else ("tpl-id-front-guqin-f",))
    template_id = rng.choice(choices)
    layout = FRONT_LAYOUTS[template_id]
    card = _prepare(_open(template_id, cache), layout.scale, layout.crop)
    if layout.portrait is not None:
        x0, y0, x1, y1 = layout.portrait
        portrait = _open(PORTRAIT_ID, cache)
        portrait.thumbnail((x1 - x0, y1 - y0))
        card.paste(portrait, (x0 + (x1 - x0 - portrait.width) // 2, y0))
    draw = ImageDraw.Draw(card)
    body, big = font("sans", layout.size), font("sans", layout.size + 4)
    _text(draw, layout.name, identity.name, big)
    _text(draw, layout.sex, identity.sex, body)
    _text(draw, layout.ethnicity, identity.ethnicity, body)
    birth = identity.birth_date
    _text(draw, layout.year, str(birth.year), body)
    for (cx, cy), number in ((layout.month_centre, birth.month), (layout.day_centre, birth.day)):
        draw.text((cx, cy), str(number), font=body, fill=INK, anchor="mm")
    x, y = layout.address
    for line in _wrap(identity.home_address, body, layout.address_width):
        _text(draw, (x, y), line, body)
        y += layout.line_height
    _text(draw, layout.id_number, identity.id_number, font("mono", layout.size + 4), tracking=layout.size * 0.18)
    return card


# --- ID card back ----------------------------------------------------------------------------------------
def id_back(identity: SampleIdentity, rng: random.Random, cache=CACHE) -> Image.Image:
    k = CARD_SCALE
    card = _prepare(_open("tpl-id-back-etcxy", cache), k, (140, 72, 1090, 672))
    draw = ImageDraw.Draw(card)
    body = font("sans", round(32 * k))
    _text(draw, (round(380 * k), round(445 * k)), identity.issuing_authority, body)
    until = "长期" if identity.valid_until is None else f"{identity.valid_until:%Y.%m.%d}"
    _text(draw, (round(380 * k), round(516 * k)), f"{identity.valid_from:%Y.%m.%d}-{until}", body)
    return card


# --- bank card -------------------------------------------------------------------------------------------
def group_number(number: str, rng: random.Random) -> str:
    """4-4-4-4(-3) like most cards, or 6-13 like many UnionPay debit cards."""
    if len(number) == 19 and rng.random() < 0.4:
        return f"{number[:6]} {number[6:]}"
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def bank_card(identity: SampleIdentity, rng: random.Random, cache=CACHE) -> Image.Image:
    scale = 1.6  # the 800x500 mock-up to ~300 dpi
    card = _prepare(_open("card-template-visa", cache), scale, None)
    for box in ((145, 250, 655, 304), (145, 303, 212, 334), (145, 368, 395, 412)):  # number, its echo, holder
        _erase_ink(card, tuple(round(v * scale) for v in box), dark_ink=False, threshold=80, grow=9)
    draw = ImageDraw.Draw(card)
    grouped = group_number(identity.card_number, rng)
    face = font("mono_bold", 62 if len(grouped) <= 19 else 54)
    x, y = 240, 446
    _text(draw, (x + 2, y + 2), grouped, face, fill=(40, 40, 60), tracking=3)  # embossed digits' shadow
    _text(draw, (x, y), grouped, face, fill=(236, 236, 240), tracking=3)
    _text(draw, (240, 512), identity.card_number[:4], font("sans", 30), fill=(230, 230, 235))
    _text(draw, (250, 626), identity.name_pinyin.upper(), font("sans", 44), fill=(220, 220, 228))
    return card


# --- business licence ------------------------------------------------------------------------------------
LICENCE_SCALE = 1.5  # the 1091x767 blank to 1636x1150


def business_license(identity: SampleIdentity, rng: random.Random, cache=CACHE) -> Image.Image:
    s = LICENCE_SCALE
    page = _prepare(_open("tpl-license-guqin", cache), s, None)

    def at(x: float, y: float) -> tuple[int, int]:
        return round(x * s), round(y * s)

    _erase_ink(page, (*at(724, 388), *at(1048, 442)))  # the blank's own address
    _erase_ink(page, (*at(220, 318), *at(560, 344)))  # its company type
    draw = ImageDraw.Draw(page)
    value = font("serif", round(19 * s))
    _text(draw, at(95, 203), identity.uscc, font("serif", round(17 * s)))
    _text(draw, at(222, 296), identity.business_name, value)
    _text(draw, at(222, 330), identity.business_kind, value)
    _text(draw, at(222, 357), identity.legal_representative, value)
    x, y = at(727, 403)
    for line in _wrap(identity.business_address, value, 318 * s):
        _text(draw, (x, y), line, value)
        y += round(27 * s)
    return page


def _prepare(image: Image.Image, scale: float, crop: tuple[int, int, int, int] | None) -> Image.Image:
    if crop is not None:
        image = image.crop(crop)
    if scale != 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    return image.copy()


LAYOUTS: dict[D, Callable[..., Image.Image]] = {
    D.ID_CARD_FRONT: id_front, D.ID_CARD_BACK: id_back, D.BANK_CARD: bank_card, D.BUSINESS_LICENSE: business_license,
}


def render_on_template(document_type: D | str, identity: SampleIdentity, level: str = "clean", seed: int = 0,
                       cache=CACHE) -> Image.Image:
    """The document on its real blank, captured at `level` (clean, scan, photo) like `documents.samples.render`."""
    document_type = D(document_type)
    layout_rng = random.Random(f"{identity.seed}:{document_type.value}:{seed}:template-layout")
    capture_rng = random.Random(f"{identity.seed}:{document_type.value}:{seed}:{level}:template")
    return apply_level(LAYOUTS[document_type](identity, layout_rng, cache), level, capture_rng)


def template_application(seed: int, merchant_type: str, *, as_of: date, level: str, cache=CACHE) -> SampleApplication:
    """A complete, consistent application whose ID sides, bank card and licence are printed on real templates;
    the documents no real blank exists for here (account permit, address proof, premises photos) are generated."""
    identity = make_identity(seed, as_of=as_of, merchant_type=merchant_type)
    documents = {}
    for document_type in DOCUMENTS_BY_TYPE[merchant_type]:
        if document_type in TEMPLATE_DOCUMENT_TYPES:
            image = render_on_template(document_type, identity, level, seed, cache)
        else:  # premises photos are photos already: drawn flat, scanning them again only trips the blur gate
            photo = document_type in (D.STOREFRONT_PHOTO, D.INTERIOR_PHOTO)
            image = render(document_type, identity, level="clean" if photo else level, seed=seed)
        documents[document_type] = encode_jpeg(image)
    return SampleApplication(scenario="complete", identity=identity, payload=application_payload(identity),
                             documents=documents)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()
