"""Whether the real Tesseract with the Chinese model is installed, for tests that read images with it."""
from __future__ import annotations

import shutil
import subprocess

import pytest


def tesseract_has_chi_sim() -> bool:
    if shutil.which("tesseract") is None:
        return False
    listing = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    return "chi_sim" in (listing.stdout + listing.stderr).split()


needs_chi_sim = pytest.mark.skipif(not tesseract_has_chi_sim(), reason="needs tesseract with the chi_sim language")
