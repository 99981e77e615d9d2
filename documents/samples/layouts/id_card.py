"""Second-generation resident ID card, both sides, at 300 dpi (85.6 × 54 mm → 1012 × 638 px)."""
from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw

from documents.samples.canvas import draw_spaced, guilloche_paper, on_margin, star, wrap
from documents.samples.fonts import font
from documents.samples.identity import SampleIdentity

CARD_SIZE = (1012, 638)
LABEL_INK = (38, 96, 156)  # the printed field names are blue on real cards
VALUE_INK = (22, 22, 22)
ADDRESS_WIDTH = 11.5 * 33  # about 11 characters per line, as printed on real cards


def id_front(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    card = guilloche_paper(CARD_SIZE, (247, 245, 238), (222, 230, 238), rng)
    draw = ImageDraw.Draw(card)
    label, value = font("sans", 27), font("sans", 33)
    label_x, value_x = 62, 168

    def field(y: int, name: str) -> None:
        draw_spaced(draw, (label_x, y + 4), name, label, LABEL_INK, tracking=10)

    field(62, "姓名")
    draw.text((value_x, 58), identity.name, font=value, fill=VALUE_INK)
    field(134, "性别")
    draw.text((value_x, 130), identity.sex, font=value, fill=VALUE_INK)
    draw_spaced(draw, (300, 138), "民族", label, LABEL_INK, tracking=10)
    draw.text((400, 130), identity.ethnicity, font=value, fill=VALUE_INK)

    field(206, "出生")
    x = value_x
    birth = identity.birth_date
    for part, unit in ((str(birth.year), "年"), (str(birth.month), "月"), (str(birth.day), "日")):
        draw.text((x, 202), part, font=value, fill=VALUE_INK)
        x += value.getlength(part) + 10
        draw.text((x, 206), unit, font=label, fill=LABEL_INK)
        x += label.getlength(unit) + 14

    field(278, "住址")
    # The card wraps the address by width, splitting words and numbers wherever the line is full.
    address_lines = wrap(identity.home_address, value, ADDRESS_WIDTH)
    for k, line in enumerate(address_lines[:4]):
        draw.text((value_x, 274 + 46 * k), line, font=value, fill=VALUE_INK)

    draw_spaced(draw, (label_x, 532), "公民身份号码", label, LABEL_INK, tracking=6)
    draw_spaced(draw, (318, 524), identity.id_number, font("mono", 40), VALUE_INK, tracking=5)
    _portrait(draw, (652, 88, 928, 440), identity.sex)
    return on_margin(card, margin=24, radius=36)


def id_back(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    card = guilloche_paper(CARD_SIZE, (246, 243, 236), (236, 222, 214), rng)
    draw = ImageDraw.Draw(card)
    _emblem(draw, (150, 150), 96)
    draw_spaced(draw, (318, 70), "中华人民共和国", font("serif_bold", 46), VALUE_INK, tracking=16)
    draw_spaced(draw, (318, 158), "居民身份证", font("serif_bold", 74), VALUE_INK, tracking=26)

    label, value = font("sans", 27), font("sans", 32)
    draw_spaced(draw, (190, 448), "签发机关", label, VALUE_INK, tracking=6)
    draw.text((352, 443), identity.issuing_authority, font=value, fill=VALUE_INK)
    draw_spaced(draw, (190, 524), "有效期限", label, VALUE_INK, tracking=6)
    until = "长期" if identity.valid_until is None else f"{identity.valid_until:%Y.%m.%d}"
    draw.text((352, 519), f"{identity.valid_from:%Y.%m.%d}-{until}", font=value, fill=VALUE_INK)
    return on_margin(card, margin=24, radius=36)


def _portrait(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], sex: str) -> None:
    """A photo placeholder: flat backdrop and a grey head-and-shoulders silhouette."""
    left, top, right, bottom = box
    draw.rectangle(box, fill=(236, 238, 240))
    cx, width = (left + right) / 2, right - left
    head_r = width * 0.2
    head_cy = top + (bottom - top) * 0.38
    tone = (150, 150, 156) if sex == "男" else (140, 132, 134)
    draw.ellipse((cx - head_r, head_cy - head_r * 1.2, cx + head_r, head_cy + head_r * 1.2), fill=tone)
    draw.chord((left + width * 0.08, head_cy + head_r * 1.1, right - width * 0.08, bottom + (bottom - top) * 0.45),
               180, 360, fill=tone)


def _emblem(draw: ImageDraw.ImageDraw, center: tuple[int, int], r: int) -> None:
    """National emblem stand-in: red disc, gold ring and five stars."""
    cx, cy = center
    gold, red = (214, 170, 52), (200, 32, 36)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=gold)
    draw.ellipse((cx - r * 0.86, cy - r * 0.86, cx + r * 0.86, cy + r * 0.86), fill=red)
    star(draw, (cx, cy - r * 0.3), r * 0.3, gold)
    for k in range(4):
        angle = math.radians(-160 + k * 47)
        star(draw, (cx + r * 0.55 * math.cos(angle), cy - r * 0.1 + r * 0.55 * math.sin(angle)), r * 0.1, gold)
    draw.rectangle((cx - r * 0.45, cy + r * 0.25, cx + r * 0.45, cy + r * 0.32), fill=gold)
    for k in range(5):
        x = cx - r * 0.36 + k * r * 0.18
        draw.rectangle((x, cy + r * 0.05, x + r * 0.08, cy + r * 0.25), fill=gold)

