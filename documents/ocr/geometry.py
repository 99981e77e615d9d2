"""Where the document is in a photo, and which way up: crop, square up, quarter turns.

Phone photos show the document on a desk or in a hand, in perspective and under uneven
light. Text recognisers read rows; they need the page alone, upright and rectangular.
Everything here works on a small grey copy (milliseconds) and maps back to full size.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

WORK_SIDE = 480
# The paper counts as found only if it covers between these shares of the frame: above, the
# document fills the photo (a scan) and there is nothing to cut; below, it is not the subject.
MIN_PAPER_SHARE, MAX_PAPER_SHARE = 0.2, 0.9
# After dividing by the paper's own fitted brightness, paper is ~1.0 and a desk 0.3-0.7.
PAPER_LEVEL = 0.8
# A quadrilateral whose area is not close to the paper region's area is not the document's outline.
MIN_QUAD_FILL = 0.88
# Share of paper-bright pixels tolerated around the sheet (glare on a desk, a second sheet).
MAX_PAPER_OUTSIDE = 0.3
COARSE_STEP = 3


def perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """PIL's PERSPECTIVE maps output (x, y) to input (u, v): the 8 coefficients from 4 point pairs."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.extend([u, v])
    return np.linalg.solve(np.array(rows, dtype=float), np.array(rhs, dtype=float)).tolist()


def crop_to_document(image: Image.Image, max_side: int | None = None) -> Image.Image:
    """The document cut out of its surroundings and squared up; the image unchanged when none is found.

    `max_side` caps the long side of the result (recognisers rescale anyway; fewer pixels cost less).
    """
    small = image.convert("L")
    small.thumbnail((WORK_SIDE, WORK_SIDE))
    scale = image.width / small.width
    quad = document_quad(np.asarray(small, dtype=np.float64))
    if quad is None:
        return image
    tl, tr, br, bl = [(x * scale, y * scale) for x, y in quad]
    width = max(_distance(tl, tr), _distance(bl, br))
    height = max(_distance(tl, bl), _distance(tr, br))
    shrink = min(1.0, max_side / max(width, height)) if max_side else 1.0
    width, height = int(width * shrink), int(height * shrink)
    coeffs = perspective_coeffs([(0, 0), (width, 0), (width, height), (0, height)], [tl, tr, br, bl])
    return image.transform((width, height), Image.Transform.PERSPECTIVE, coeffs, resample=Image.Resampling.BILINEAR)


def document_quad(grey: np.ndarray) -> list[tuple[float, float]] | None:
    """Corners (top-left, top-right, bottom-right, bottom-left) of the bright sheet in the middle of `grey`."""
    paper = _paper_region(grey)
    if paper is None:
        return None
    ys, xs = np.nonzero(paper)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):  # extreme along each diagonal is that corner
        i = int(np.argmax(sx * xs + sy * ys))
        corners.append((float(xs[i]), float(ys[i])))
    if _polygon_area(corners) < MIN_QUAD_FILL * paper.sum() or _polygon_area(corners) > paper.size * MAX_PAPER_SHARE:
        return None
    return corners


def _paper_region(grey: np.ndarray) -> np.ndarray | None:
    bright = grey > _otsu(grey)
    if not MIN_PAPER_SHARE <= bright.mean() <= MAX_PAPER_SHARE:
        return None
    # Light falls off across a photo; the paper is white, so its brightness is the light itself.
    relative = grey / np.maximum(_fitted_light(grey, bright), 1.0)
    mask = _opened(relative > PAPER_LEVEL)
    region = _grown_from_centre(mask)
    if region is None or not MIN_PAPER_SHARE <= region.mean() <= MAX_PAPER_SHARE:
        return None
    # What lies around a photographed sheet is not paper; a frame printed on the page (a
    # licence's border) encloses more paper outside it, and is not the page's edge.
    outside = ~_dilated(region, 3)
    if outside.any() and (relative[outside] > PAPER_LEVEL).mean() > MAX_PAPER_OUTSIDE:
        return None
    return region


def _otsu(values: np.ndarray) -> float:
    hist, edges = np.histogram(values, bins=256, range=(0, 256))
    weights = hist.astype(np.float64)
    centres = (edges[:-1] + edges[1:]) / 2
    below = np.cumsum(weights)
    total = below[-1]
    mean_below = np.cumsum(weights * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_below[-1] * below / total - mean_below) ** 2 / (below * (total - below))
    if not np.isfinite(between).any():  # a single grey level: nothing to separate
        return float(centres[-1])
    return float(centres[int(np.nanargmax(between))])


def _fitted_light(grey: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """A smooth quadratic surface through the brightness of the paper pixels."""
    height, width = grey.shape
    yy, xx = np.mgrid[0:height, 0:width]
    x, y = xx / width - 0.5, yy / height - 0.5
    terms = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1)
    sample = paper & (np.add.outer(np.arange(height), np.arange(width)) % 3 == 0)
    coefficients, *_ = np.linalg.lstsq(terms[sample], grey[sample], rcond=None)
    return terms @ coefficients


def _opened(mask: np.ndarray) -> np.ndarray:
    """Specks and thin streaks removed, text holes left (they do not move the outline)."""
    return _dilated(~_dilated(~mask, 2), 2)


def _dilated(mask: np.ndarray, steps: int) -> np.ndarray:
    """`mask` grown by `steps` pixels (a square neighbourhood)."""
    grown = mask.copy()
    for _ in range(steps):
        previous = grown.copy()
        grown[1:] |= previous[:-1]
        grown[:-1] |= previous[1:]
        grown[:, 1:] |= previous[:, :-1]
        grown[:, :-1] |= previous[:, 1:]
    return grown


def _grown_from_centre(mask: np.ndarray) -> np.ndarray | None:
    """The part of `mask` connected to its central area (the subject of a photo is near its middle).

    Grown on a coarse copy (each step a few array operations), then taken back to full detail.
    """
    coarse = mask[::COARSE_STEP, ::COARSE_STEP]
    height, width = coarse.shape
    region = np.zeros_like(coarse)
    region[height * 2 // 5:height * 3 // 5, width * 2 // 5:width * 3 // 5] = True
    region &= coarse
    if not region.any():
        return None
    while True:
        grown = _dilated(region, 1) & coarse
        if grown.sum() == region.sum():
            break
        region = grown
    # Back to full detail: the mask's pixels within one coarse cell of the region.
    near = np.repeat(np.repeat(_dilated(region, 1), COARSE_STEP, axis=0), COARSE_STEP, axis=1)
    return mask & near[:mask.shape[0], :mask.shape[1]]


def _polygon_area(points: list[tuple[float, float]]) -> float:
    xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    return float(abs(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))) / 2)


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))
