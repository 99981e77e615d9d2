"""Capture conditions applied to a rendered document: how it reaches us, not what it says.

clean  — the rendered image as is.
scan   — flatbed scan: white bed around it, slight tilt, soft focus, sensor noise, JPEG.
photo  — phone photo on a desk: perspective, the phone held a few degrees crooked, desk background,
         uneven light, blur, JPEG; now and then the photo is turned a quarter or half turn, as
         when a phone lies flat and its orientation sensor (hence EXIF) has it wrong.
"""
from __future__ import annotations

import io
import math
import random
from typing import Literal

import numpy as np
from PIL import Image, ImageFilter

from documents.ocr.geometry import perspective_coeffs

Level = Literal["clean", "scan", "photo"]
LEVELS: tuple[str, ...] = ("clean", "scan", "photo")
# How crooked a hand-held phone is (degrees either way) and how often a photo lands turned.
MAX_PHOTO_TILT = 6.0
TURNED_PHOTO_SHARE = 0.08


def apply_level(image: Image.Image, level: str, rng: random.Random) -> Image.Image:
    if level == "clean":
        return image
    if level == "scan":
        return _scan(image, rng)
    if level == "photo":
        return _photo(image, rng)
    raise ValueError(f"unknown capture level {level!r}; expected one of {LEVELS}")


def _scan(image: Image.Image, rng: random.Random) -> Image.Image:
    margin = int(image.width * 0.04)
    bed = Image.new("RGB", (image.width + 2 * margin, image.height + 2 * margin), (250, 250, 247))
    bed.paste(image, (margin, margin))
    bed = bed.rotate(rng.uniform(-1.5, 1.5), resample=Image.BICUBIC, expand=False, fillcolor=(250, 250, 247))
    bed = bed.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9)))
    bed = _noise(bed, rng, sigma=rng.uniform(2, 5))
    return _jpeg(bed, rng.randint(55, 80))


def _photo(image: Image.Image, rng: random.Random) -> Image.Image:
    pad = int(max(image.size) * 0.14)
    size = (image.width + 2 * pad, image.height + 2 * pad)
    desk = _desk(size, rng)
    # Corners of the document in the photo: the frame turned by the phone's tilt, then each
    # corner pushed by up to 6 % for perspective.
    jitter = 0.06 * min(image.size)
    w, h = image.size
    tilt = math.radians(rng.uniform(-MAX_PHOTO_TILT, MAX_PHOTO_TILT))
    cx, cy = size[0] / 2, size[1] / 2
    corners = []
    for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        x = cx + dx * math.cos(tilt) - dy * math.sin(tilt)
        y = cy + dx * math.sin(tilt) + dy * math.cos(tilt)
        corners.append((x + rng.uniform(-jitter, jitter), y + rng.uniform(-jitter, jitter)))
    coeffs = perspective_coeffs(corners, [(0, 0), (w, 0), (w, h), (0, h)])
    warped = image.convert("RGBA").transform(size, Image.PERSPECTIVE, coeffs, resample=Image.BICUBIC)
    desk.paste(warped, (0, 0), warped)
    lit = _uneven_light(desk, rng)
    lit = lit.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.3)))
    lit = _noise(lit, rng, sigma=rng.uniform(3, 7))
    if rng.random() < TURNED_PHOTO_SHARE:
        lit = lit.transpose(rng.choice((Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180,
                                        Image.Transpose.ROTATE_270)))
    return _jpeg(lit, rng.randint(60, 85))


def _desk(size: tuple[int, int], rng: random.Random) -> Image.Image:
    base = np.array(rng.choice(((120, 90, 62), (92, 92, 96), (160, 150, 136), (60, 66, 74))), dtype=float)
    np_rng = np.random.default_rng(rng.getrandbits(32))
    grain = np_rng.normal(0, 1, (size[1], 1)) * 10 + np_rng.normal(0, 1, (size[1], size[0])) * 4
    desk = np.clip(base[None, None, :] + grain[..., None], 0, 255)
    return Image.fromarray(desk.astype(np.uint8), "RGB")


def _uneven_light(image: Image.Image, rng: random.Random) -> Image.Image:
    w, h = image.size
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    yy, xx = np.mgrid[0:h, 0:w]
    distance = np.hypot(xx - cx, yy - cy) / np.hypot(w, h)
    gain = 1.06 - rng.uniform(0.25, 0.45) * distance
    lit = np.asarray(image, dtype=float) * gain[..., None]
    return Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8), "RGB")


def _noise(image: Image.Image, rng: random.Random, sigma: float) -> Image.Image:
    np_rng = np.random.default_rng(rng.getrandbits(32))
    pixels = np.asarray(image, dtype=float) + np_rng.normal(0, sigma, (image.height, image.width, 1))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    decoded = Image.open(buffer)
    decoded.load()
    return decoded
