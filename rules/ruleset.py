"""Loading the rule files: YAML in, validated `RuleSet` out, or an error naming file and line."""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from rules.schema import (
    AddressPolicy,
    BusinessPolicy,
    Catalogue,
    CodeEntry,
    Effect,
    Localized,
    Policy,
    Requirement,
    RuleSet,
    SettlementPolicy,
    Thresholds,
    ValidityBand,
)
from rules.yaml_lines import YamlProblem, compose, locate, reject_duplicate_keys

__all__ = [
    "AddressPolicy", "BusinessPolicy", "Catalogue", "CodeEntry", "Effect", "Localized", "Policy", "Requirement",
    "RuleSet", "RulesFileError", "SettlementPolicy", "Thresholds", "ValidityBand", "default_rules_dir",
    "load_ruleset",
]

POLICY_FILE = "ruleset.yaml"
CATALOGUE_FILE = "deficiencies.yaml"
HASH_LENGTH = 8

_Model = TypeVar("_Model", bound=BaseModel)


class RulesFileError(Exception):
    """A rule file that cannot be used; str() reads like a compiler error: `path:line: where: reason`."""

    def __init__(self, path: Path, line: int | None, reason: str, more: int = 0) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        self.more = more  # further problems in the same file, not shown
        super().__init__(str(self))

    def __reduce__(self):
        # Workflow runners pickle task exceptions; the default would call __init__ with the message only.
        return type(self), (self.path, self.line, self.reason, self.more)

    def __str__(self) -> str:
        where = f"{_display(self.path)}:{self.line}" if self.line else _display(self.path)
        tail = f" (and {self.more} more)" if self.more else ""
        return f"{where}: {self.reason}{tail}"


def default_rules_dir() -> Path:
    return Path(__file__).resolve().parent / "files"


def load_ruleset(directory: Path | None = None) -> RuleSet:
    """Reads `ruleset.yaml` and `deficiencies.yaml`; results are cached per directory and file content."""
    directory = Path(directory).resolve() if directory else default_rules_dir()
    policy_bytes = _read(directory / POLICY_FILE)
    catalogue_bytes = _read(directory / CATALOGUE_FILE)
    return _build(directory, policy_bytes, catalogue_bytes)


@lru_cache(maxsize=8)
def _build(directory: Path, policy_bytes: bytes, catalogue_bytes: bytes) -> RuleSet:
    policy = _parse(directory / POLICY_FILE, policy_bytes, Policy)
    catalogue = _parse(directory / CATALOGUE_FILE, catalogue_bytes, Catalogue)
    digest = hashlib.sha256()
    for name, data in ((POLICY_FILE, policy_bytes), (CATALOGUE_FILE, catalogue_bytes)):
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    label = f"{policy.version}+{digest.hexdigest()[:HASH_LENGTH]}"
    return RuleSet(policy=policy, catalogue=catalogue, version_label=label)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RulesFileError(path, None, "file not found") from None
    except OSError as exc:
        raise RulesFileError(path, None, exc.strerror or str(exc)) from None


def _parse(path: Path, data: bytes, model: type[_Model]) -> _Model:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulesFileError(path, None, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        root = compose(text)
        reject_duplicate_keys(root)
        content = yaml.safe_load(text)
    except YamlProblem as problem:
        raise RulesFileError(path, problem.line, problem.reason) from None
    if not isinstance(content, dict):
        raise RulesFileError(path, 1, "expected a mapping at the top level")
    try:
        return model.model_validate(content)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        line, depth = locate(root, first["loc"])
        # Name what is in the file (a list item, not the `any_of.0` a validator made of it);
        # a missing key is the exception: its name is the message.
        shown = first["loc"] if first["type"] == "missing" else first["loc"][:depth]
        dotted = ".".join(str(part) for part in shown) or "(top level)"
        raise RulesFileError(path, line, f"{dotted}: {first['msg']}", len(errors) - 1) from None


def _display(path: Path) -> str:
    # Relative to the working directory when inside it, as editors and CI logs expect.
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)
