"""`time-traveler`: one command, one subcommand per job. Subcommands live beside the code they run
and are imported only when chosen, so `time-traveler serve` never pays for torch."""

from __future__ import annotations

import argparse
import importlib
import sys

from booth_core.errors import TimeTravelerError

#: subcommand -> (module, one-line help). Each module has `add_arguments(parser)` and `run(args) -> int`.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "age": ("inference_container.commands.age", "age a photo and write the strip"),
    "weights": ("inference_container.commands.weights", "download or check SAM weights"),
    "serve": ("job_service.serve_command", "run the booth API (local job service)"),
    "serve-model": ("inference_container.model_server.command", "serve the engine under the SageMaker contract"),
    "package-model": ("inference_container.model_server.packaging", "build model.tar.gz for SageMaker"),
}


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="time-traveler", description="Time Traveler: your face at other ages.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(sub)
            sub.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except TimeTravelerError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
