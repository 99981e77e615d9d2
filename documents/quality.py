"""Image quality measures used by intake. Pure functions over decoded images."""
from __future__ import annotations

import numpy as np
from PIL import Image


def blur_score(image: Image.Image, sample_max_side: int = 1024) -> float:
    """Variance of the 3x3 Laplacian of a grayscale copy; higher is sharper.

    The copy is scaled so its longer side is at most `sample_max_side`: without that, the same
    scene photographed at 4000 px scores far lower than at 1000 px (edges spread over more
    pixels), and one threshold could not serve every camera.
    """
    gray = image.convert("L")
    longest = max(gray.size)
    if longest > sample_max_side:
        ratio = sample_max_side / longest
        size = (max(1, round(gray.width * ratio)), max(1, round(gray.height * ratio)))
        gray = gray.resize(size, Image.Resampling.BOX)
    pixels = np.asarray(gray, dtype=np.float32)
    if pixels.shape[0] < 3 or pixels.shape[1] < 3:
        return 0.0
    laplacian = (
        pixels[:-2, 1:-1]
        + pixels[2:, 1:-1]
        + pixels[1:-1, :-2]
        + pixels[1:-1, 2:]
        - 4.0 * pixels[1:-1, 1:-1]
    )
    return float(laplacian.var())
