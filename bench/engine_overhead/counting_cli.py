"""`onboard …` with every OCR call counted: `python -m bench.engine_overhead.counting_cli COUNT_FILE rerun APP`.

Wraps `TesseractEngine.read` (the only OCR the engine has) and writes the number of calls to COUNT_FILE at exit.
"""
from __future__ import annotations

import atexit
import sys
from pathlib import Path


def main() -> None:
    count_file = Path(sys.argv.pop(1))
    from documents.ocr.tesseract import TesseractEngine

    calls = {"read": 0}
    real_read = TesseractEngine.read

    def counted_read(self, image, document_type):
        calls["read"] += 1
        return real_read(self, image, document_type)

    TesseractEngine.read = counted_read
    atexit.register(lambda: count_file.write_text(str(calls["read"])))
    from onboarding.cli.main import app

    sys.argv[0] = "onboard"
    app()


if __name__ == "__main__":
    main()
