import sys
from pathlib import Path

# --import-mode=importlib puts no test directory on sys.path; the tests here share funnel_world.py.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
