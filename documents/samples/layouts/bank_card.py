"""UnionPay debit card front at 300 dpi: bank band, chip, grouped number, holder pinyin, UnionPay mark."""
from __future__ import annotations

import random

from PIL import Image, ImageDraw

from documents.samples.canvas import draw_spaced, on_margin
from documents.samples.fonts import font
from documents.samples.identity import SampleIdentity

CARD_SIZE = (1012, 638)

# Brand colour of each bank's band; the card body is a pale tint of it.
BANK_COLOURS: dict[str, tuple[int, int, int]] = {
    "中国工商银行": (196, 28, 36),
    "中国建设银行": (0, 72, 152),
    "中国农业银行": (0, 128, 96),
    "中国银行": (178, 24, 40),
    "招商银行": (200, 20, 30),
    "交通银行": (20, 50, 130),
    "中国邮政储蓄银行": (0, 120, 60),
    "广发银行": (210, 30, 40),
}


def group_card_number(number: str) -> str:
    """Groups of four as embossed on cards; a 19-digit number ends with a group of three."""
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def bank_card(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    brand = BANK_COLOURS.get(identity.bank_name, (160, 30, 40))
    tint = tuple(int(235 + (c - 235) * 0.12) for c in brand)
    card = Image.new("RGB", CARD_SIZE, tint)
    draw = ImageDraw.Draw(card)
    _sheen(draw, tint, rng)

    draw.rectangle((0, 0, CARD_SIZE[0], 150), fill=brand)
    draw.ellipse((46, 36, 124, 114), outline=(255, 255, 255), width=8)
    draw.rectangle((78, 50, 92, 100), fill=(255, 255, 255))
    draw.text((146, 42), identity.bank_name, font=font("serif_bold", 52), fill=(255, 255, 255))
    draw.text((800, 60), "借记卡", font=font("sans", 34), fill=(255, 236, 200))

    _chip(draw, (96, 212))
    number_font = font("mono_bold", 58)
    grouped = group_card_number(identity.card_number)
    x0 = 72 if len(identity.card_number) > 16 else 110
    # A light offset copy imitates embossed digits catching the light.
    draw_spaced(draw, (x0 + 2, 372 + 2), grouped, number_font, (252, 252, 252), tracking=2)
    draw_spaced(draw, (x0, 372), grouped, number_font, (34, 34, 40), tracking=2)
    if rng.random() < 0.6:
        draw.text((x0, 476), identity.name_pinyin, font=font("sans", 32), fill=(52, 52, 60))
    _unionpay(draw, (770, 478))
    return on_margin(card, margin=24, radius=40)


def _sheen(draw: ImageDraw.ImageDraw, tint: tuple[int, ...], rng: random.Random) -> None:
    """Faint diagonal bands of the card's printed design."""
    for k in range(6):
        x = rng.randint(-300, 1000)
        shade = tuple(max(c - 10, 0) for c in tint)
        draw.polygon([(x, 638), (x + 140, 638), (x + 460, 150), (x + 320, 150)], fill=shade)


def _chip(draw: ImageDraw.ImageDraw, origin: tuple[int, int]) -> None:
    x, y = origin
    draw.rounded_rectangle((x, y, x + 128, y + 96), radius=14, fill=(212, 180, 96), outline=(160, 128, 60), width=3)
    for dy in (32, 64):
        draw.line((x, y + dy, x + 128, y + dy), fill=(160, 128, 60), width=3)
    draw.line((x + 64, y, x + 64, y + 96), fill=(160, 128, 60), width=3)


def _unionpay(draw: ImageDraw.ImageDraw, origin: tuple[int, int]) -> None:
    """The UnionPay mark: three slanted red, blue and teal panels with the name in white."""
    x, y = origin
    w, h, slant = 66, 110, 16
    for k, colour in enumerate(((222, 30, 40), (0, 64, 150), (0, 130, 140))):
        left = x + k * (w - 8)
        draw.polygon([(left + slant, y), (left + w + slant, y), (left + w, y + h), (left, y + h)], fill=colour)
    draw.text((x + 36, y + 12), "银联", font=font("sans_bold", 40), fill=(255, 255, 255))
    draw.text((x + 26, y + 66), "UnionPay", font=font("sans_bold", 24), fill=(255, 255, 255))
