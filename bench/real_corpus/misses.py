"""Why each real-corpus field was missed: from the JSON `bench/ocr_accuracy.py --dump DIR` writes.

    .venv/bin/python bench/real_corpus/misses.py DIR [--engine rapidocr]

For every labelled field read wrong or not at all it prints the item, its layout, what was expected and what
was extracted, the intake findings, and where the truth is in the OCR text: on one line ("in the text:
extraction missed it"), spread over neighbouring lines, or nowhere ("not in the text: OCR or orientation").
That split is the first question for whoever fixes extraction: read better, or pick better.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.real_corpus.corpus import load_manifest  # noqa: E402
from documents.extract.normalize import compact  # noqa: E402


def locate(expected: str, passes: list[dict]) -> str:
    """Where the expected value appears in what OCR read (first pass that has it)."""
    want = compact(expected)
    for read in passes:
        texts = [compact(line[0]) for line in read["lines"]]
        for i, text in enumerate(texts):
            if want in text:
                return f"in the text ({read['name']}, line {i}: {read['lines'][i][0][:60]!r})"
        joined = "".join(texts)
        if want in joined:
            return f"split over lines ({read['name']})"
    return "not in the text"


def misses(folder: Path, engine: str | None) -> list[dict]:
    layouts = {item.id: item.layout for item in load_manifest()}
    found = []
    for path in sorted(folder.glob("*-real-*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if engine and not record["engine"].startswith(engine):
            continue
        for name, expected in record["truth"].items():
            got = record["fields"].get(name, {}).get("value")
            if got is not None and compact(got) == compact(expected):
                continue
            found.append({
                "engine": record["engine"].split()[0], "item": record["key"], "type": record["document_type"],
                "layout": layouts.get(record["key"], "?"), "field": name, "expected": expected, "got": got,
                "confidence": record["fields"].get(name, {}).get("confidence"),
                "intake": record["intake_findings"], "size": record["size"], "where": locate(expected, record["passes"]),
            })
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--engine")
    args = parser.parse_args()
    for miss in misses(args.folder, args.engine):
        intake = f" intake: {', '.join(miss['intake'])}" if miss["intake"] else ""
        print(f"{miss['engine']:9} {miss['item']:28} {miss['layout']:36} {miss['field']:21} "
              f"expected {miss['expected']!r} got {miss['got']!r} ({miss['confidence']}) "
              f"{miss['size'][0]}x{miss['size'][1]}{intake}; {miss['where']}")


if __name__ == "__main__":
    main()
