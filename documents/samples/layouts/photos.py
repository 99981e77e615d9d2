"""Premises photos: a shop front with its sign (门头照) and an interior with the cash counter (内景照)."""
from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFilter

from documents.samples.canvas import text_width
from documents.samples.fonts import font
from documents.samples.identity import SampleIdentity

PHOTO_SIZE = (1280, 960)


def storefront_photo(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    width, height = PHOTO_SIZE
    photo = Image.new("RGB", PHOTO_SIZE)
    draw = ImageDraw.Draw(photo)
    _vertical_gradient(draw, (0, 0, width, 260), (150, 190, 230), (215, 230, 245))  # sky
    wall = rng.choice(((200, 190, 172), (188, 180, 176), (210, 204, 190)))
    draw.rectangle((0, 200, width, 800), fill=wall)
    for y in range(220, 800, 48):  # tiled facade
        draw.line((0, y, width, y), fill=tuple(c - 14 for c in wall), width=2)
    draw.rectangle((0, 800, width, height), fill=(120, 118, 114))  # pavement

    board = rng.choice(((190, 28, 34), (20, 70, 150), (24, 110, 60)))
    draw.rectangle((60, 240, width - 60, 420), fill=board, outline=(230, 230, 230), width=6)
    name = _sign_text(identity.business_name)
    size = 96
    while text_width(name, font("sans_bold", size)) > width - 200 and size > 40:
        size -= 4
    sign_font = font("sans_bold", size)
    draw.text(((width - text_width(name, sign_font)) / 2, 330 - size * 0.62), name, font=sign_font,
              fill=(255, 238, 160))

    draw.rectangle((160, 460, width - 160, 800), fill=(70, 78, 86))  # open shop front
    draw.rectangle((180, 480, width // 2 - 10, 800), fill=(120, 150, 170))
    draw.rectangle((width // 2 + 10, 480, width - 180, 800), fill=(118, 146, 166))
    for x in range(190, width - 180, 24):  # half-raised rolling shutter
        draw.line((x, 480, x, 540), fill=(170, 170, 170), width=10)
    _shelves(draw, (200, 580, width // 2 - 30, 790), rng)
    return photo.filter(ImageFilter.GaussianBlur(0.6))


def interior_photo(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    width, height = PHOTO_SIZE
    photo = Image.new("RGB", PHOTO_SIZE)
    draw = ImageDraw.Draw(photo)
    _vertical_gradient(draw, (0, 0, width, 620), (236, 232, 222), (214, 208, 196))  # wall
    _vertical_gradient(draw, (0, 620, width, height), (176, 160, 140), (140, 124, 104))  # floor
    for x in range(-400, width + 400, 160):  # floor tiles converge towards the back wall
        draw.line((x, height, width / 2 + (x - width / 2) * 0.55, 620), fill=(128, 114, 96), width=2)

    _shelves(draw, (60, 140, 520, 600), rng)
    draw.rectangle((640, 560, 1220, 860), fill=(150, 100, 60), outline=(100, 66, 40), width=4)  # counter
    draw.rectangle((640, 540, 1220, 570), fill=(210, 200, 190))
    draw.rectangle((760, 440, 920, 545), fill=(40, 40, 46))  # cash register screen
    draw.rectangle((772, 452, 908, 520), fill=(90, 160, 200))
    draw.rectangle((960, 500, 1040, 545), fill=(60, 60, 64))  # POS terminal
    draw.rectangle((1100, 380, 1200, 540), fill=(250, 250, 250), outline=(180, 180, 180), width=3)
    draw.text((1110, 392), "扫码\n付款", font=font("sans_bold", 36), fill=(20, 150, 60))
    draw.rectangle((700, 120, 1160, 220), fill=(190, 28, 34))
    draw.text((810, 136), "收银台", font=font("sans_bold", 64), fill=(255, 255, 255))
    return photo.filter(ImageFilter.GaussianBlur(0.7))


def _sign_text(business_name: str) -> str:
    """Signs drop the registered place prefix and legal form (台山市北陡镇昌良小吃店 → 昌良小吃店)."""
    for marker in ("区", "市", "县", "镇"):
        head, _, tail = business_name.rpartition(marker)
        if head and len(tail) >= 3:
            return tail.removesuffix("有限公司")
    return business_name


def _shelves(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], rng: random.Random) -> None:
    left, top, right, bottom = box
    draw.rectangle(box, fill=(96, 80, 64))
    for y in range(top + 10, bottom - 88, 90):
        draw.rectangle((left + 8, y + 78, right - 8, y + 86), fill=(70, 56, 44))
        x = left + 14
        while x < right - 40:
            w = rng.randint(24, 56)
            colour = tuple(rng.randint(60, 240) for _ in range(3))
            draw.rectangle((x, y + rng.randint(10, 30), x + w, y + 78), fill=colour)
            x += w + rng.randint(4, 10)


def _vertical_gradient(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], top: tuple[int, int, int], bottom: tuple[int, int, int],
) -> None:
    left, y0, right, y1 = box
    for y in range(y0, y1):
        t = (y - y0) / max(y1 - y0 - 1, 1)
        draw.line((left, y, right, y), fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
