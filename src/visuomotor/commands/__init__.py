"""Subcommands of the `visuomotor` CLI.

Each module here defines COMMANDS, a list of Command; cli.py discovers them, so a new subcommand is a
new module (or a new entry), never an edit of cli.py. Commands are `visuomotor VERB [NOUN] ...`, e.g.
`visuomotor train policy`, `visuomotor eval tracking --json`. Heavy imports belong inside `run`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Command:
    verb: str  # e.g. "eval"
    noun: str | None  # e.g. "tracking"; None for `visuomotor demo`
    help: str  # one line
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int | None]  # returns the exit code (None = 0)
    default: bool = False  # `visuomotor VERB` alone runs this noun


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Every eval/bench command accepts --json."""
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")


def emit_result(result: dict[str, Any], as_json: bool) -> None:
    """Print a result: human-readable lines, or one JSON object as the last line of stdout."""
    if as_json:
        print(json.dumps(result, sort_keys=True, default=_json_default), flush=True)
        return
    for key, value in result.items():
        print(f"{key}: {value}")
    sys.stdout.flush()


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
