"""Finding the document in a photo and which way up to read it (pure image arithmetic, no OCR)."""
from __future__ import annotations

import random

import pytest
from PIL import Image, ImageDraw

from documents.ocr.geometry import crop_to_document, document_quad
from documents.ocr.orient import candidate_turns
from documents.samples.canvas import guilloche_paper
from documents.samples.degrade import apply_level
from documents.types import DocumentType

CARD = (1012, 638)


def _card() -> Image.Image:
    card = guilloche_paper(CARD, (247, 245, 238), (222, 230, 238), random.Random(1))
    draw = ImageDraw.Draw(card)
    for row in range(6):
        draw.rectangle((60, 60 + 90 * row, 560, 90 + 90 * row), fill=(30, 30, 30))  # rows of "text"
    return card


def _on_desk(sheet: Image.Image, angle: float, light: int = 255) -> Image.Image:
    desk = Image.new("RGB", (sheet.width + 500, sheet.height + 500), (110, 86, 60))
    tilted = sheet.convert("RGBA").rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    desk.paste(tilted, ((desk.width - tilted.width) // 2, (desk.height - tilted.height) // 2), tilted)
    return desk.point(lambda v: v * light // 255)


@pytest.mark.parametrize("angle", (0.0, 5.0, -7.0))
def test_card_on_a_desk_is_cut_out_and_squared_up(angle: float) -> None:
    cropped = crop_to_document(_on_desk(_card(), angle))
    assert cropped.width == pytest.approx(CARD[0], rel=0.04)
    assert cropped.height == pytest.approx(CARD[1], rel=0.04)
    # Squared up: the top rows of "text" are level again.
    assert abs(_ink_top(cropped, 0.15) - _ink_top(cropped, 0.5)) <= 4


def test_dim_photo_is_cut_out_too() -> None:
    cropped = crop_to_document(_on_desk(_card(), 3.0, light=150))
    assert cropped.size[0] == pytest.approx(CARD[0], rel=0.04)


def test_scans_and_renders_are_left_whole() -> None:
    card = _card()
    assert crop_to_document(card) is card
    scan = apply_level(card, "scan", random.Random(3))
    assert crop_to_document(scan).size == scan.size


def test_nothing_to_find_in_a_dark_frame() -> None:
    import numpy as np

    assert document_quad(np.full((300, 400), 40.0)) is None


def test_a_card_lying_on_its_side_is_only_tried_turned() -> None:
    portrait = Image.new("L", (600, 1000), 255)
    assert candidate_turns(portrait, DocumentType.ID_CARD_FRONT) == (90, 270)
    assert candidate_turns(portrait.rotate(90, expand=True), DocumentType.BANK_CARD) == (0, 180)
    assert set(candidate_turns(portrait, DocumentType.ADDRESS_PROOF)) == {0, 90, 180, 270}


def _ink_top(image: Image.Image, at: float) -> int:
    """First dark pixel row in the column at `at` of the width (the top edge of the first text row)."""
    grey = image.convert("L")
    x = int(grey.width * at)
    for y in range(grey.height // 2):
        if grey.getpixel((x, y)) < 80:
            return y
    return -1
