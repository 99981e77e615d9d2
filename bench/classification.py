"""Classification accuracy (issue 15 item 4): does the product tell what each upload is?

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/classification.py --engines rapidocr,tesseract --workers 2 \\
        [--generated 20] [--markdown /tmp/classify.md]

Every image of the real corpus (documents, templates and non-documents: other papers, photos, one-colour
images) is decoded as the intake gate does, read by the engine for the slot it would be uploaded to (a
non-document: the ID-back slot, where the issue saw blank images refused as blurry), and given to the
product's classifier, `documents.classify.classify(image=…, reading=…)`; its `kind` is compared with the
manifest's `kind` label. An image the intake gate refuses as `document_blank` counts as classified `blank`
(that is where the product tells blank images). `--generated N` adds N generated documents per type at scan
and photo level (premises photos and account permits are not OCR'd by the product: pixels only). Storefront and interior photos count as one kind (`premises_photo`), as the classifier
reports them.

Columns: `right` is the best guess; `sure` is what the product acts on (a sure verdict of another kind than
the slot refuses the upload with document_type_mismatch). `sure, wrong` on a document in its own slot is a
merchant refused for a good document: the figure that must stay 0.

If `documents/classify.py` is not on this checkout yet, the bench says so and exits 0: the hook is ready.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
from collections import Counter, defaultdict
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PREMISES = {"storefront_photo", "interior_photo"}
DEFAULT_SLOT = "id_card_back"
_ENGINE = None


def comparable(kind: str | None) -> str | None:
    return "premises_photo" if kind in PREMISES else kind


def classifier_available() -> bool:
    try:
        from documents.classify import classify  # noqa: F401
    except ImportError:
        return False
    return True


def _init(engine_name: str) -> None:
    global _ENGINE
    from documents.ocr import open_ocr_engine

    os.environ["OMP_THREAD_LIMIT"] = "1"
    _ENGINE = open_ocr_engine(engine_name)


def _image_and_label(job: tuple[str, str, str]) -> tuple[bytes, str, str]:
    source, key, level = job
    if source == "real":
        from bench.real_corpus.corpus import load_manifest

        item = next(i for i in load_manifest() if i.id == key)
        return item.image_bytes(), item.kind, item.type or DEFAULT_SLOT
    from documents.samples.identity import make_identity
    from documents.samples.render import render

    document_type, seed = key.split(":")
    buffer = io.BytesIO()
    render(document_type, make_identity(int(seed)), level=level).save(buffer, "PNG")
    return buffer.getvalue(), document_type, document_type


def classify_one(job: tuple[str, str, str]) -> tuple[str, str, str, str | None, bool, str]:
    from documents.classify import classify
    from documents.intake import IntakeLimits, IntakeRefused, inspect_upload
    from documents.types import OCR_DOCUMENT_TYPES, DocumentType

    source, key, level = job
    data, label, slot = _image_and_label(job)
    try:
        image = inspect_upload(data, DocumentType(slot), IntakeLimits()).image
    except IntakeRefused as refused:
        kind = "blank" if refused.code == "document_blank" else None
        return source, key, label, kind, kind is not None, f"refused at intake: {refused.code}"
    reading = _ENGINE.read(image, DocumentType(slot)) if DocumentType(slot) in OCR_DOCUMENT_TYPES else None
    verdict = classify(image=image, reading=reading)
    kind = None if verdict.kind is None else str(verdict.kind)
    return source, key, label, kind, verdict.sure, f"marks {verdict.marks}, legible {verdict.legible_chars}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="rapidocr")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--generated", type=int, default=0, help="generated documents per type and level")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    if not classifier_available():
        print("documents/classify.py is not on this checkout: classification accuracy not measured "
              "(the hook is ready; run this again once the classifier is merged)")
        return
    from bench.real_corpus.corpus import load_items
    from documents.types import DocumentType

    jobs = [("real", item.id, "as fetched") for item in load_items()]
    # Every type the generator draws: the premises photos and the account permit are not read by OCR in the
    # product, so they show what pixels alone tell.
    jobs += [("generated", f"{t.value}:{seed}", level) for level in ("scan", "photo")
             for t in DocumentType for seed in range(900, 900 + args.generated)]
    lines = ["| engine | corpus | kind (label) | images | right (best guess) | sure, right | sure, wrong | said instead |",
             "|---|---|---|---|---|---|---|---|"]
    for engine in args.engines.split(","):
        with Pool(args.workers, initializer=_init, initargs=(engine,)) as pool:
            results = pool.map(classify_one, jobs, chunksize=1)
        tally: dict[tuple[str, str], list] = defaultdict(list)
        for source, key, label, kind, sure, evidence in results:
            tally[(source, label)].append((key, kind, sure))
            if comparable(kind) != comparable(label):
                print(f"WRONG{' (sure)' if sure else ''} {engine} {source} {key}: label {label}, classifier {kind} "
                      f"({evidence})")
        for (source, label), rows in sorted(tally.items()):
            right = sum(comparable(k) == comparable(label) for _, k, _ in rows)
            sure_right = sum(sure and comparable(k) == comparable(label) for _, k, sure in rows)
            sure_wrong = sum(sure and comparable(k) != comparable(label) for _, k, sure in rows)
            instead = Counter(f"{k}{' (sure)' if sure else ''}" for _, k, sure in rows
                              if comparable(k) != comparable(label))
            lines.append(f"| {engine} | {source} | {label} | {len(rows)} | {right} ({right / len(rows):.0%}) | "
                         f"{sure_right} | {sure_wrong} | "
                         f"{', '.join(f'{k} × {v}' for k, v in instead.most_common()) or '—'} |")
        print("\n".join(line for line in lines if line.startswith(f"| {engine} |")), flush=True)  # engine by engine
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
