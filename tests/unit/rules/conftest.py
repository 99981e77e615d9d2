import sys
from pathlib import Path

# The suite runs with --import-mode=importlib, which puts no test directory on sys.path;
# the table-driven tests share fact builders from rules_facts.py next to this file.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
