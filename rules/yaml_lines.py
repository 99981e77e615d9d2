"""Where in a YAML file a value came from, so that rule-file errors name a line an editor can jump to."""
from __future__ import annotations

from collections.abc import Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class YamlProblem(Exception):
    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def compose(text: str) -> Node | None:
    """The node tree with marks; syntax errors become YamlProblem with the 1-based line."""
    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 10x faster
    except yaml.YAMLError:
        pass  # parsed again below for the pure-Python parser's wording, which names the problem better
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = "; ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        raise YamlProblem(mark.line + 1 if mark else None, reason) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(None, str(exc)) from None


def reject_duplicate_keys(node: Node | None, path: tuple[str, ...] = ()) -> None:
    # PyYAML keeps the last of two equal keys silently; in a rule file that hides an edit.
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else str(key)
            if name in seen:
                where = ".".join((*path, name))
                raise YamlProblem(key.start_mark.line + 1, f"{where}: duplicate key")
            seen.add(name)
            reject_duplicate_keys(value, (*path, name))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            reject_duplicate_keys(item, (*path, str(index)))


def locate(root: Node | None, location: Sequence[str | int]) -> tuple[int, int]:
    """1-based line of the deepest node along a pydantic error location, and how many parts of it exist.

    Locations may go deeper than the file (a missing key, a value a validator expanded);
    the walk stops at the last node that exists. A block mapping or list is reported
    at the line of the key that introduced it, where the reader's eye goes.
    """
    if root is None:
        return 1, 0
    node, line, depth = root, root.start_mark.line + 1, 0
    for part in location:
        child = _child(node, part)
        if child is None:
            break
        key_line, node = child
        line = key_line if isinstance(node, (MappingNode, SequenceNode)) else node.start_mark.line + 1
        depth += 1
    return line, depth


def _child(node: Node, part: str | int) -> tuple[int, Node] | None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == str(part):
                return key.start_mark.line + 1, value
    elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None
