"""`onboard …` with every OCR request counted: `python -m bench.engine_overhead.counting_cli COUNT_FILE rerun APP`.

Every read the engine makes goes through `onboarding.service.reading.ocr_submit` (to the OCR workers); the
number of calls is written to COUNT_FILE at exit.
"""
from __future__ import annotations

import atexit
import sys
from pathlib import Path


def main() -> None:
    count_file = Path(sys.argv.pop(1))
    from onboarding.service import reading

    calls = {"ocr": 0}
    real_submit = reading.ocr_submit

    def counted_submit(services, source):
        calls["ocr"] += 1
        return real_submit(services, source)

    reading.ocr_submit = counted_submit
    atexit.register(lambda: count_file.write_text(str(calls["ocr"])))
    from onboarding.cli.main import app

    sys.argv[0] = "onboard"
    app()


if __name__ == "__main__":
    main()
