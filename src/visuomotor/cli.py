"""The one `visuomotor` command line: `visuomotor VERB [NOUN] [options]`.

Subcommands are discovered from the modules of visuomotor.commands (each lists COMMANDS).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from visuomotor import commands
from visuomotor.commands import Command
from visuomotor.errors import UserError
from visuomotor.process import configure_process


def discover_commands() -> list[Command]:
    found: list[Command] = []
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        found.extend(getattr(module, "COMMANDS", []))
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="visuomotor", description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    noun_groups: dict[str, argparse._SubParsersAction] = {}
    verb_parsers: dict[str, argparse.ArgumentParser] = {}
    for command in discover_commands():
        if command.noun is None:
            sub = verbs.add_parser(command.verb, help=command.help, description=command.help)
        else:
            if command.verb not in noun_groups:
                verb_parsers[command.verb] = verbs.add_parser(command.verb, help=f"{command.verb} ...")
                noun_groups[command.verb] = verb_parsers[command.verb].add_subparsers(
                    dest="noun", required=True, metavar="WHAT"
                )
            sub = noun_groups[command.verb].add_parser(command.noun, help=command.help, description=command.help)
        command.add_arguments(sub)
        sub.set_defaults(command=command)
        if command.default:
            noun_groups[command.verb].required = False
            command.add_arguments(verb_parsers[command.verb])
            verb_parsers[command.verb].set_defaults(command=command)
    return parser


def main(argv: list[str] | None = None) -> int:
    configure_process()
    args = build_parser().parse_args(argv)
    try:
        code = args.command.run(args)
    except UserError as error:
        print(f"visuomotor: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
