"""Drawing primitives shared by the document layouts: paper, spaced text, wrapping, seals."""
from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw, ImageFont

from documents.samples.fonts import font

RGB = tuple[int, int, int]


def guilloche_paper(size: tuple[int, int], base: RGB, ink: RGB, rng: random.Random, density: int = 14) -> Image.Image:
    """A pale background with fine wavy security lines, like ID cards and licences carry.

    Ink is kept close to the base colour: real anti-counterfeit patterns are faint,
    and clean samples must stay machine-readable.
    """
    image = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(image)
    width, height = size
    for k in range(density):
        phase = rng.uniform(0, math.tau)
        amplitude = rng.uniform(height * 0.03, height * 0.08)
        period = rng.uniform(width * 0.3, width * 0.7)
        y0 = height * (k + 0.5) / density
        points = [(x, y0 + amplitude * math.sin(math.tau * x / period + phase)) for x in range(0, width + 8, 8)]
        draw.line(points, fill=ink, width=1)
    return image


def text_width(text: str, font: ImageFont.FreeTypeFont, tracking: float = 0) -> float:
    return sum(font.getlength(ch) for ch in text) + tracking * max(len(text) - 1, 0)


def draw_spaced(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font: ImageFont.FreeTypeFont,
    fill: RGB, tracking: float = 0,
) -> float:
    """Draw `text` with extra space between characters (letter-spaced titles, card numbers); returns the end x."""
    x, y = xy
    if tracking == 0:
        draw.text((x, y), text, font=font, fill=fill)
        return x + font.getlength(text)
    for ch in text:
        draw.text((x, y), ch, font=font, fill=fill)
        x += font.getlength(ch) + tracking
    return x - tracking


def justify(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font: ImageFont.FreeTypeFont,
    fill: RGB, width: float,
) -> None:
    """Spread a short label over a fixed width (名　　称 / 法定代表人), as printed forms align their labels."""
    if len(text) < 2:
        draw.text(xy, text, font=font, fill=fill)
        return
    tracking = (width - text_width(text, font)) / (len(text) - 1)
    draw_spaced(draw, xy, text, font, fill, max(tracking, 0))


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break CJK text into lines no wider than max_width (CJK wraps between any two characters)."""
    lines, current = [], ""
    for ch in text:
        if current and font.getlength(current + ch) > max_width:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def on_margin(card: Image.Image, margin: int, radius: int, background: RGB = (255, 255, 255)) -> Image.Image:
    """Round the card's corners and lay it on a plain margin, like a flatbed scan of a card."""
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1), radius=radius, fill=255)
    page = Image.new("RGB", (card.width + 2 * margin, card.height + 2 * margin), background)
    page.paste(card, (margin, margin), mask)
    return page


def seal(
    image: Image.Image, center: tuple[int, int], radius: int, text: str, color: RGB = (214, 40, 40),
) -> None:
    """A round red official seal: ring, star, and the authority's name along the upper arc."""
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    cx, cy = center
    ink = (*color, 170)  # translucent, as stamped ink lets the paper show through
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=ink, width=max(radius // 18, 3))
    star(draw, (cx, cy), radius * 0.28, ink)
    glyph_font_size = max(int(radius * 0.26), 10)
    glyph_font = font("sans_bold", glyph_font_size)
    sweep = math.radians(min(250, 22 * len(text)))
    for i, ch in enumerate(text):
        angle = -math.pi / 2 - sweep / 2 + sweep * (i + 0.5) / len(text)
        r = radius * 0.74
        glyph = Image.new("RGBA", (glyph_font_size * 2, glyph_font_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph_font_size, glyph_font_size), ch, font=glyph_font, fill=ink, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        x = int(cx + r * math.cos(angle) - glyph.width / 2)
        y = int(cy + r * math.sin(angle) - glyph.height / 2)
        overlay.alpha_composite(glyph, (max(x, 0), max(y, 0)))
    image.paste(Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB"))


def star(draw: ImageDraw.ImageDraw, center: tuple[float, float], r: float, fill: tuple[int, ...]) -> None:
    cx, cy = center
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.4
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=fill)
