"""docs/parameters.md is the table generated from the nodes' config dataclasses (tools/parameter_table.py)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_docs_parameters_md_is_current():
    spec = importlib.util.spec_from_file_location("parameter_table", ROOT / "tools" / "parameter_table.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        tool.main()
    assert (ROOT / "docs" / "parameters.md").read_text() == printed.getvalue(), (
        "docs/parameters.md is stale: PYTHONPATH=src .venv/bin/python tools/parameter_table.py > docs/parameters.md"
    )
