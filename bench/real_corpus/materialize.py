"""Rebuild the real corpus's images into the git-ignored cache from fetched repository mirrors.

    .venv/bin/python bench/real_corpus/materialize.py [--mirrors /work/.mirror] [--cache .corpus/real]

Each manifest item is read from its mirror (`<mirrors>/<owner>+<name>/repo`, a bare git directory or a
checkout's `.git`) by its blob id, or by commit and path when the mirror has another history, then cropped,
turned and resized as the manifest says. Generated items (solid colours) are drawn here. A missing mirror is
reported with the repositories to fetch (the search tool's `fetch github:<owner>/<name>`); the exit status is 1
then, unless --allow-missing. Images are written as `<id>.<ext>` and never committed (`.corpus/` is ignored).
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PIL import Image, ImageOps  # noqa: E402

from bench.real_corpus.corpus import CACHE, MANIFEST, CorpusItem, load_manifest  # noqa: E402

MIRRORS = Path("/work/.mirror")


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing_mirrors: dict[str, list[str]] = field(default_factory=dict)  # repo -> item ids
    failed: dict[str, str] = field(default_factory=dict)  # item id -> why

    def report(self) -> str:
        lines = [f"{len(self.written)} images written, {len(self.unchanged)} already cached"]
        if self.missing_mirrors:
            lines.append(f"{sum(map(len, self.missing_mirrors.values()))} images need repositories that are not "
                         f"fetched; fetch these (search tool `fetch`), then run this again:")
            lines += [f"  fetch github:{repo}    ({len(ids)} items: {', '.join(ids)})"
                      for repo, ids in sorted(self.missing_mirrors.items())]
        lines += [f"FAILED {ident}: {why}" for ident, why in sorted(self.failed.items())]
        return "\n".join(lines)


def mirror_git_dir(repo: str, mirrors: Path = MIRRORS) -> Path | None:
    """The git directory of a fetched repository, or None when it has not been fetched."""
    root = mirrors / repo.replace("/", "+") / "repo"
    for candidate in (root / ".git", root):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _git(git_dir: Path, *args: str) -> bytes | None:
    done = subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True)
    return done.stdout if done.returncode == 0 else None


def read_original(item: CorpusItem, git_dir: Path) -> bytes:
    """The file as the repository has it: by blob id, else at the recorded commit, else (checked) at HEAD."""
    data = _git(git_dir, "cat-file", "blob", item.blob) or _git(git_dir, "show", f"{item.commit}:{item.path}")
    if data is not None:
        return data
    head_blob = (_git(git_dir, "rev-parse", f"HEAD:{item.path}") or b"").decode().strip()
    raise LookupError(f"{item.repo}: neither blob {item.blob[:10]} nor {item.commit[:10]}:{item.path} is in the "
                      f"mirror (HEAD has {'blob ' + head_blob[:10] if head_blob else 'no such path'}); "
                      f"the file changed upstream: relabel it")


def render_generated(spec: dict) -> bytes:
    width, height = spec["size"]
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), tuple(spec["colour"])).save(buffer, "PNG")
    return buffer.getvalue()


def apply_transform(data: bytes, transform: dict) -> tuple[bytes, str | None]:
    """The transformed image as PNG, or the original bytes untouched (EXIF and JPEG artefacts kept) when the
    manifest asks for nothing. Returns (bytes, forced extension or None)."""
    if not transform:
        return data, None
    image = Image.open(io.BytesIO(data))
    image = ImageOps.exif_transpose(image).convert("RGB")
    if "crop" in transform:
        x0, y0, x1, y1 = transform["crop"]
        w, h = image.size
        image = image.crop((round(x0 * w), round(y0 * h), round(x1 * w), round(y1 * h)))
    if transform.get("rotate"):
        image = image.rotate(transform["rotate"], expand=True)
    if transform.get("max_side"):
        image.thumbnail((transform["max_side"], transform["max_side"]), Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue(), ".png"


def _extension(item: CorpusItem, forced: str | None) -> str:
    if forced:
        return forced
    if item.generated is not None:
        return ".png"
    suffix = Path(item.path or "").suffix.lower()
    return {".jpeg": ".jpg"}.get(suffix, suffix or ".bin")


def materialize(items: list[CorpusItem], mirrors: Path = MIRRORS, cache: Path = CACHE) -> Outcome:
    cache.mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    for item in items:
        try:
            if item.generated is not None:
                data, forced = render_generated(item.generated), None
            else:
                git_dir = mirror_git_dir(item.repo, mirrors)
                if git_dir is None:
                    outcome.missing_mirrors.setdefault(item.repo, []).append(item.id)
                    continue
                data, forced = apply_transform(read_original(item, git_dir), item.transform)
        except (LookupError, OSError, ValueError) as problem:
            outcome.failed[item.id] = str(problem)
            continue
        target = cache / f"{item.id}{_extension(item, forced)}"
        for stale in cache.glob(f"{item.id}.*"):
            if stale != target:
                stale.unlink()
        if target.is_file() and target.read_bytes() == data:
            outcome.unchanged.append(item.id)
            continue
        target.write_bytes(data)
        outcome.written.append(item.id)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--allow-missing", action="store_true", help="exit 0 even when some mirrors are missing")
    args = parser.parse_args(argv)
    outcome = materialize(load_manifest(args.manifest, args.cache), args.mirrors, args.cache)
    print(outcome.report())
    if outcome.failed or (outcome.missing_mirrors and not args.allow_missing):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
