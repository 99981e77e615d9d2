"""OCR engine wrappers used inside engine runs: one that counts calls, one that answers from a file instantly."""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from PIL import Image


class CountingEngine:
    """Delegates to the real engine and counts `read` calls (rerun must make none)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls = 0
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return self.inner.version

    @property
    def pipeline_version(self) -> str:
        return self.inner.pipeline_version

    def read(self, image: Image.Image, document_type):
        with self._lock:
            self.calls += 1
        return self.inner.read(image, document_type)


def image_key(image: Image.Image) -> str:
    return hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest()


class ReplayEngine:
    """Answers with the reading the real engine produced for the same pixels (from the raw OCR run), at once.

    Running the engine with it measures everything the engine does *besides* OCR, with the real decisions.
    """

    def __init__(self, real_version: str, pipeline_version: str, readings_by_image: dict[str, dict]) -> None:
        from documents.types import OcrReading

        self._version, self._pipeline = real_version, pipeline_version
        # Stamped with this engine's versions: the raw run may predate a pipeline bump made meanwhile by
        # someone else, and the engine files readings under the versions its OCR engine reports.
        self._readings = {key: OcrReading.model_validate(value).model_copy(
            update={"engine": real_version, "pipeline_version": pipeline_version})
            for key, value in readings_by_image.items()}
        self.calls = 0

    @property
    def version(self) -> str:
        return self._version

    @property
    def pipeline_version(self) -> str:
        return self._pipeline

    def read(self, image: Image.Image, document_type):
        self.calls += 1
        return self._readings[image_key(image)]


def replay_engine_for(samples, readings_file: Path, services) -> ReplayEngine:
    """Keys each raw-run reading by the pixels the engine will hand to `read` (after the intake gate)."""
    from documents.intake import inspect_upload
    from documents.types import DocumentType

    by_sample = json.loads(readings_file.read_text(encoding="utf-8"))
    by_image = {}
    for app in samples:
        for document_type, path in app.ocr_documents().items():
            image = inspect_upload(Path(path).read_bytes(), DocumentType(document_type), services.intake_limits).image
            by_image[image_key(image)] = by_sample[f"{app.index}:{document_type}"]
    return ReplayEngine(services.ocr.version, services.ocr.pipeline_version, by_image)
