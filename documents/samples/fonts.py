"""Locate the Noto CJK fonts at first use (never at import) and hand out sized Pillow fonts."""
from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont

FontStyle = Literal["sans", "sans_bold", "serif", "serif_bold", "mono", "mono_bold"]

_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
)
# (file name, family name of the face inside the .ttc collection)
_STYLES: dict[str, tuple[str, str]] = {
    "sans": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "sans_bold": ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
    "serif": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    "serif_bold": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    "mono": ("NotoSansCJK-Regular.ttc", "Noto Sans Mono CJK SC"),
    "mono_bold": ("NotoSansCJK-Bold.ttc", "Noto Sans Mono CJK SC"),
}
# Serif is optional on some systems; fall back to sans rather than fail.
_FALLBACK: dict[str, str] = {"serif": "sans", "serif_bold": "sans_bold"}


class FontMissingError(RuntimeError):
    pass


def font(style: FontStyle, size: int) -> ImageFont.FreeTypeFont:
    path, index = _face(style)
    return _sized(path, index, size)


@lru_cache(maxsize=256)
def _sized(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


@lru_cache(maxsize=None)
def _face(style: str) -> tuple[str, int]:
    file_name, family = _STYLES[style]
    path = _find_file(file_name)
    if path is None:
        if style in _FALLBACK:
            return _face(_FALLBACK[style])
        raise FontMissingError(
            f"font {file_name} ({family}) not found in {[str(d) for d in _FONT_DIRS]} or via fc-match; "
            "install fonts-noto-cjk (Debian/Ubuntu) or google-noto-sans-cjk-fonts"
        )
    for index in range(16):
        try:
            face = ImageFont.truetype(str(path), 12, index=index)
        except OSError:
            break
        if face.getname()[0] == family:
            return str(path), index
    return str(path), 0  # a single-face file holding just the SC font


def _find_file(file_name: str) -> Path | None:
    for directory in _FONT_DIRS:
        candidate = directory / file_name
        if candidate.is_file():
            return candidate
    if shutil.which("fc-list"):
        listing = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=False)
        for line in listing.stdout.splitlines():
            if Path(line).name == file_name:
                return Path(line)
    return None
