#!/usr/bin/env python3
"""Strips outputs and execution counts from notebooks, in place.

The notebooks under notebooks/ are committed as sources only: the tests execute them
(tests/python/test_notebooks.py, which also checks that every committed one is stripped).
Run this before committing a notebook you ran in Jupyter.

Usage: scripts/strip_notebooks.py [--check] [NOTEBOOK.ipynb ...]   (default: notebooks/*.ipynb)
  --check   change nothing; list the notebooks that are not stripped and exit 1 if any

Standard library only. The file is written as Jupyter writes it (nbformat: one-space indent,
sorted keys, non-ASCII kept, a final newline), so stripping a freshly saved notebook changes
nothing but its outputs.
"""
import argparse
import json
import sys
from pathlib import Path

# Per-cell metadata that records a run rather than the source: nbclient's timings
# ("execution"), the ExecuteTime extension's, and Jupyter's view state of an output area.
RUN_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")


def strip(notebook: dict) -> dict:
    """Return the notebook (a parsed .ipynb) without outputs, execution counts or run metadata."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in RUN_METADATA:
            cell.get("metadata", {}).pop(key, None)
    return notebook


def dumps(notebook: dict) -> str:
    """The notebook as Jupyter (nbformat) writes it."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="report, do not rewrite")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.notebooks or sorted((Path(__file__).resolve().parent.parent / "notebooks")
                                     .glob("*.ipynb"))
    unstripped = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        stripped = dumps(strip(json.loads(text)))
        if stripped == text:
            continue
        unstripped.append(path)
        if not args.check:
            path.write_text(stripped, encoding="utf-8")
            print(f"stripped {path}")
    if args.check and unstripped:
        print("not stripped (run scripts/strip_notebooks.py):",
              *(str(p) for p in unstripped), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
