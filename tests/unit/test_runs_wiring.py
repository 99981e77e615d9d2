"""onboarding/ never imports flows/: entry points start runs through onboarding.service.runs.Runs, whose
implementations (flows/launch.py) are found by entry point, so the layers keep pointing one way."""
from __future__ import annotations

import ast
from pathlib import Path

import onboarding


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_nothing_under_onboarding_imports_flows():
    root = Path(onboarding.__file__).parent
    offenders = {str(path.relative_to(root.parent)): sorted(m for m in imported_modules(path)
                                                            if m == "flows" or m.startswith("flows."))
                 for path in root.rglob("*.py")}
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_both_runs_implementations_are_registered():
    from importlib.metadata import entry_points

    from onboarding.service.runs import ENTRY_POINT_GROUP

    assert {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)} == {
        "embedded": "flows.launch:EmbeddedRuns", "deployment": "flows.launch:DeploymentRuns"}
