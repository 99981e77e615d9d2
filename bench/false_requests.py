"""False requests: how many COMPLETE applications the real engine asks the merchant for something anyway.

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/false_requests.py --sets generated,template,real \\
        --n 200 --levels scan,photo --workers 2 --markdown /tmp/false.md --json /tmp/false.json

Every application here is complete and consistent: all documents its merchant type needs, every name, number
and address on them agreeing with the application file. Each set is written as folders and loaded with
`onboard batch DIR --wait --json` as a separate process on a fresh ONBOARD_HOME (embedded default, the
configured OCR engine, ONBOARD_OCR_PROCESSES=--workers), exactly as ops would load it. Then, per application:

  false request   it ended in needs_documents, or its decision holds any deficiency with merchant_fixable
                  true (a merchant-facing request: 补充资料 for a document that was fine);
  sent to staff   it ended in manual_review.

Sets:
  generated   --n complete applications per capture level (documents/samples/applications.py, merchant types
              in turn), rendered at scan and photo level (premises photos: clean, see PREMISES_PHOTOS);
  template    --template-n per level: ID sides, bank card and licence printed on the real blank templates
              (bench/real_corpus/templates.py), the rest generated;
  real        every complete application the real corpus allows (bench/real_corpus): each real licence whose
              name, legal representative and address could be read by eye, with a generated ID card of that
              representative and a generated account permit (enterprise); each real bank card with a generated
              ID of its holder (small/micro); each real ID front with a generated back of the same person
              (small/micro). Documents are used as fetched (clean).

The report lists, per code, which deficiencies caused the requests, and each false request: the application,
the document and field and the staff note saying why.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from multiprocessing import Pool
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MERCHANT_TYPES = ("small_micro", "sole_trader", "enterprise")
SEED_BASE = {"generated": 150_000, "template": 160_000, "real": 170_000}
# Storefront and interior photos are drawn by the generator as flat shapes with little texture: taken through
# the scan or photo level they fall under the blur gate (Laplacian variance < 100) although a real phone photo
# of a shop would not, so they stay at the clean level in every set (they are photos already).
PREMISES_PHOTOS = frozenset({"storefront_photo", "interior_photo"})


@dataclass
class Planned:
    name: str  # folder name
    set: str
    level: str
    merchant_type: str
    source: str  # what it was built from (real corpus item ids, or "generated")


@dataclass
class Outcome:
    planned: Planned
    application_id: str
    state: str
    deficiencies: list[dict] = field(default_factory=list)

    @property
    def merchant_facing(self) -> list[dict]:
        return [d for d in self.deficiencies if d.get("merchant_fixable", True)]

    @property
    def false_request(self) -> bool:
        return self.state == "needs_documents" or bool(self.merchant_facing)

    @property
    def to_staff(self) -> bool:
        return self.state == "manual_review"


# --- building the sets -----------------------------------------------------------------------------------
def write_application(folder: Path, payload: dict, documents: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "application.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    for document_type, data in documents.items():
        suffix = ".png" if data[:8] == b"\x89PNG\r\n\x1a\n" else ".jpg"
        (folder / f"{document_type}{suffix}").write_bytes(data)


def _write_generated(job: tuple[str, int, str, str]) -> Planned:
    from documents.samples.applications import encode_jpeg, sample_application
    from documents.samples.render import render

    root, i, level, as_of = job
    merchant_type, seed = MERCHANT_TYPES[i % 3], SEED_BASE["generated"] + i
    sample = sample_application(seed, merchant_type, "complete", as_of=date.fromisoformat(as_of), level=level)
    for photo in PREMISES_PHOTOS & set(sample.documents):  # phone photos already: not scanned or re-shot
        sample.documents[photo] = encode_jpeg(render(photo, sample.identity, level="clean", seed=seed))
    name = f"gen-{level}-{i:04d}"
    write_application(Path(root) / name, sample.payload, sample.documents)
    return Planned(name, "generated", level, merchant_type, "generated")


def _write_template(job: tuple[str, int, str, str]) -> Planned:
    from bench.real_corpus.templates import template_application

    root, i, level, as_of = job
    merchant_type = MERCHANT_TYPES[i % 3]
    sample = template_application(SEED_BASE["template"] + i, merchant_type, as_of=date.fromisoformat(as_of), level=level)
    name = f"tpl-{level}-{i:04d}"
    write_application(Path(root) / name, sample.payload, sample.documents)
    return Planned(name, "template", level, merchant_type, "real templates")


def build_in_parallel(writer, root: Path, n: int, level: str, as_of: date, processes: int) -> list[Planned]:
    """Rendering and degrading is CPU-bound: the folders are drawn by a pool, in a fixed order."""
    with Pool(processes) as pool:
        return pool.map(writer, [(str(root), i, level, as_of.isoformat()) for i in range(n)], chunksize=1)


def build_generated(root: Path, n: int, level: str, as_of: date, processes: int = 2) -> list[Planned]:
    return build_in_parallel(_write_generated, root, n, level, as_of, processes)


def build_template(root: Path, n: int, level: str, as_of: date, processes: int = 2) -> list[Planned]:
    return build_in_parallel(_write_template, root, n, level, as_of, processes)


def build_real(root: Path, as_of: date) -> list[Planned]:
    """Complete applications around real corpus documents; every generated document agrees with the real one."""
    from bench.real_corpus.corpus import load_items
    from documents.samples.applications import application_payload, encode_jpeg
    from documents.samples.identity import add_years, age_on, make_identity, validity_years
    from documents.samples.render import render
    from documents.types import DocumentType as D

    planned: list[Planned] = []
    seed = SEED_BASE["real"]

    def person(seed: int, merchant_type: str, **overrides):
        identity = make_identity(seed, as_of=as_of, merchant_type=merchant_type)
        if "birth_date" in overrides:  # a real card: its validity follows the real birth date
            issued = as_of - timedelta(days=700)
            years = validity_years(age_on(overrides["birth_date"], issued)) or None
            overrides |= {"valid_from": issued, "valid_until": None if years is None else add_years(issued, years)}
        return identity.model_copy(update=overrides)

    def add(name: str, merchant_type: str, identity, documents: dict, source: str) -> None:
        from onboarding.service.application_input import parse_application

        payload = application_payload(identity)
        try:  # what `onboard batch` would refuse (and with it the whole folder) cannot be a complete application
            parse_application(payload)
        except Exception as refused:
            print(f"skipped {name}: the application file is refused ({refused})".replace("\n", " "))
            return
        write_application(root / name, payload, documents)
        planned.append(Planned(name, "real", "as fetched", merchant_type, source))

    # Real licences: enterprise (or sole trader for a 92… code) applications around them. One application per
    # business: a second copy of the same licence (lic-zzfangda-rotated) would rightly be a possible duplicate.
    businesses: set[str] = set()
    for item in load_items(types={"business_license"}, include_templates=False):
        truth = item.truth
        if not {"company_name", "legal_representative", "address"} <= set(truth):
            continue
        if truth["company_name"] in businesses:
            print(f"skipped {item.id}: a second copy of {truth['company_name']}'s licence")
            continue
        businesses.add(truth["company_name"])
        seed += 1
        merchant_type = "sole_trader" if truth.get("uscc", "").startswith("92") else "enterprise"
        identity = person(seed, merchant_type, name=truth["legal_representative"],
                          legal_representative=truth["legal_representative"], business_name=truth["company_name"],
                          business_address=truth["address"], address_proof_holder=truth["legal_representative"],
                          address_proof_address=truth["address"], **({"uscc": truth["uscc"]} if "uscc" in truth else {}))
        from documents.samples.applications import DOCUMENTS_BY_TYPE

        documents = {t: (item.image_bytes() if t == D.BUSINESS_LICENSE else encode_jpeg(render(t, identity, seed=seed)))
                     for t in DOCUMENTS_BY_TYPE[merchant_type]}
        add(f"real-licence-{item.id}", merchant_type, identity, documents, item.id)

    # Real bank cards: small/micro applications whose settlement card is the real one.
    for item in load_items(types={"bank_card"}, include_templates=False, with_truth=True):
        seed += 1
        identity = person(seed, "small_micro", card_number=item.truth["card_number"])
        documents = {t: encode_jpeg(render(t, identity, seed=seed)) for t in
                     (D.ID_CARD_FRONT, D.ID_CARD_BACK, D.ADDRESS_PROOF, D.STOREFRONT_PHOTO, D.INTERIOR_PHOTO)}
        documents[D.BANK_CARD] = item.image_bytes()
        add(f"real-card-{item.id}", "small_micro", identity, documents, item.id)

    # Real ID fronts: small/micro applications of that person, with a generated back of the same card.
    for item in load_items(types={"id_card_front"}, include_templates=False, with_truth=True):
        truth = item.truth
        if not {"name", "id_number", "birth_date", "sex", "address"} <= set(truth):
            continue
        birth = date.fromisoformat(truth["birth_date"])
        if age_on(birth, as_of) < 18:
            continue  # the illustration's cartoon person was born in 2017: not an adult applicant
        seed += 1
        identity = person(seed, "small_micro", name=truth["name"], id_number=truth["id_number"], birth_date=birth,
                          sex=truth["sex"], ethnicity=truth.get("ethnicity", "汉"), home_address=truth["address"],
                          legal_representative=truth["name"], address_proof_holder=truth["name"])
        documents = {t: encode_jpeg(render(t, identity, seed=seed)) for t in
                     (D.ID_CARD_BACK, D.BANK_CARD, D.ADDRESS_PROOF, D.STOREFRONT_PHOTO, D.INTERIOR_PHOTO)}
        documents[D.ID_CARD_FRONT] = item.image_bytes()
        add(f"real-idfront-{item.id}", "small_micro", identity, documents, item.id)
    return planned


# --- running the engine ----------------------------------------------------------------------------------
def run_batch(folder: Path, home: Path, workers: int, engine: str | None) -> tuple[dict, float]:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONBOARD_", "PREFECT_"))}
    env |= {"ONBOARD_HOME": str(home), "OMP_THREAD_LIMIT": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "ONBOARD_OCR_PROCESSES": str(workers), "PYTHONPATH": str(REPO)}
    if engine:
        env["ONBOARD_OCR_ENGINE"] = engine
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "onboarding.cli.main", "batch", str(folder), "--wait", "--json"],
                          env=env, capture_output=True, text=True, cwd=REPO, timeout=6 * 3600)
    if done.returncode != 0:
        raise RuntimeError(f"onboard batch exited {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout), time.perf_counter() - started


def outcomes(result: dict, home: Path, planned: list[Planned]) -> list[Outcome]:
    from onboarding.crypto import Sealer

    by_name = {p.name: p for p in planned}
    found = []
    sealer = Sealer([(home / "secret.key").read_text().strip()])  # findings are encrypted at rest (0018)
    with sqlite3.connect(home / "onboard.db") as db:
        for row in result["applications"]:
            latest = db.execute("SELECT deficiencies FROM decisions WHERE application_id = ? ORDER BY id DESC LIMIT 1",
                                (row["application_id"],)).fetchone()
            deficiencies = json.loads(sealer.open(latest[0])) if latest else []
            found.append(Outcome(by_name[row["name"]], row["application_id"], row["state"], deficiencies))
    return found


# --- report ----------------------------------------------------------------------------------------------
def summarize(results: list[Outcome]) -> dict:
    groups: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in results:
        groups[(outcome.planned.set, outcome.planned.level)].append(outcome)
    rows = []
    for (set_name, level), group in sorted(groups.items()):
        codes = Counter((d["code"], d.get("document_type") or "-") for o in group if o.false_request
                        for d in o.merchant_facing)
        rows.append({
            "set": set_name, "level": level, "applications": len(group),
            "false_requests": sum(o.false_request for o in group), "to_staff": sum(o.to_staff for o in group),
            "approved": sum(o.state == "approved" for o in group),
            "states": dict(Counter(o.state for o in group)),
            "codes": {f"{code} ({document})": count for (code, document), count in codes.most_common()},
        })
    return {"rows": rows}


def describe(deficiency: dict) -> str:
    where = "/".join(x for x in (deficiency.get("document_type"), deficiency.get("field")) if x)
    note = (deficiency.get("staff_note") or "").replace("\n", " ")
    return f"{deficiency['code']} [{where or '-'}]: {note[:220]}"


def markdown(summary: dict, results: list[Outcome], engine: str) -> str:
    lines = [f"| set | capture | applications | false requests | rate | sent to staff | approved | states |",
             "|---|---|---|---|---|---|---|---|"]
    for r in summary["rows"]:
        rate = r["false_requests"] / r["applications"] if r["applications"] else 0
        lines.append(f"| {r['set']} | {r['level']} | {r['applications']} | {r['false_requests']} | {rate:.1%} | "
                     f"{r['to_staff']} | {r['approved']} | {', '.join(f'{k} {v}' for k, v in sorted(r['states'].items()))} |")
    lines += ["", "Deficiencies behind the false requests (merchant_fixable, counted once per application and code):", ""]
    for r in summary["rows"]:
        if r["codes"]:
            lines.append(f"- {r['set']} / {r['level']} ({engine}): " + ", ".join(f"{k} × {v}" for k, v in r["codes"].items()))
    lines += ["", "Each false request and each application sent to staff:", ""]
    for o in results:
        if o.false_request or o.to_staff:
            reasons = "; ".join(describe(d) for d in (o.merchant_facing if o.false_request else o.deficiencies))
            lines.append(f"- `{o.planned.name}` ({o.planned.merchant_type}, {o.planned.source}) → {o.state}: {reasons}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="generated,template,real")
    parser.add_argument("--levels", default="scan,photo", help="capture levels of the generated and template sets")
    parser.add_argument("--n", type=int, default=200, help="generated applications per level")
    parser.add_argument("--template-n", type=int, default=60, help="real-template applications per level")
    parser.add_argument("--workers", type=int, default=2, help="ONBOARD_OCR_PROCESSES of the engine")
    parser.add_argument("--engine", help="ONBOARD_OCR_ENGINE (default: the product's default)")
    parser.add_argument("--build-processes", type=int, default=2, help="processes drawing the application folders")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/false-requests"))
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    as_of = date.today()
    results: list[Outcome] = []
    engine = args.engine or "default engine"
    for set_name in args.sets.split(","):
        levels = ["as fetched"] if set_name == "real" else args.levels.split(",")
        for level in levels:
            folder = args.scratch / f"{set_name}-{level.replace(' ', '_')}"
            shutil.rmtree(folder, ignore_errors=True)
            started = time.perf_counter()
            if set_name == "generated":
                planned = build_generated(folder, args.n, level, as_of, args.build_processes)
            elif set_name == "template":
                planned = build_template(folder, args.template_n, level, as_of, args.build_processes)
            else:
                planned = build_real(folder, as_of)
            built = time.perf_counter() - started
            load = os.getloadavg()[0]
            result, wall = run_batch(folder, args.scratch / f"home-{set_name}-{level.replace(' ', '_')}",
                                     args.workers, args.engine)
            found = outcomes(result, args.scratch / f"home-{set_name}-{level.replace(' ', '_')}", planned)
            results += found
            print(f"{set_name} / {level}: {len(found)} applications built in {built:.0f} s, onboarded in {wall:.0f} s "
                  f"(load {load:.1f} → {os.getloadavg()[0]:.1f}); false requests "
                  f"{sum(o.false_request for o in found)}, to staff {sum(o.to_staff for o in found)}", flush=True)
            write_reports(args, results, engine)  # after every set: a long run that is stopped keeps what it measured
    print(write_reports(args, results, engine))


def write_reports(args: argparse.Namespace, results: list[Outcome], engine: str) -> str:
    summary = summarize(results)
    text = markdown(summary, results, engine)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "applications": [
            {**asdict(o.planned), "application_id": o.application_id, "state": o.state,
             "false_request": o.false_request, "to_staff": o.to_staff,
             "deficiencies": [{k: d.get(k) for k in ("code", "document_type", "field", "merchant_fixable", "staff_note")}
                              for d in o.deficiencies]} for o in results]}, ensure_ascii=False, indent=1),
            encoding="utf-8")
    return text


if __name__ == "__main__":
    main()
