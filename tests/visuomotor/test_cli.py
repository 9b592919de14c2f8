"""The one `visuomotor` CLI: discovered subcommands, --json on every eval/bench, the default bench."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from visuomotor.cli import build_parser, discover_commands

COMMANDS = discover_commands()


def test_expected_subcommands_exist():
    names = {(c.verb, c.noun) for c in COMMANDS}
    assert {("demo", None), ("launch", None), ("record", None), ("bench", "pipeline"), ("bench", "nn")} <= names
    assert len(names) == len(COMMANDS), "a subcommand is registered twice"


@pytest.mark.parametrize(
    "command", [c for c in COMMANDS if c.verb in ("eval", "bench")], ids=lambda c: f"{c.verb}-{c.noun}"
)
def test_every_eval_and_bench_takes_json(command):
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    assert "--json" in parser._option_string_actions, f"visuomotor {command.verb} {command.noun} lacks --json"


def test_bench_alone_is_the_pipeline_bench():
    args = build_parser().parse_args(["bench", "--json"])
    assert args.command.noun == "pipeline" and args.json


def test_user_errors_are_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "visuomotor.cli", "demo", "--episodes", "0"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr == "visuomotor: --episodes 0: run at least 1 episode\n"
