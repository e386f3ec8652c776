"""The ``meshroute`` command.

Exit codes (sysexits, as istioctl uses them): 0 clean, 1 internal error, 64 usage, 65 unreadable input,
79 findings at or above the failure threshold.  Machine output goes to stdout, human notes to stderr,
and the exit code never depends on the output format.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from .errors import InputError, UsageError
from .repo import PolicyRepo, load_repo

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 64
EXIT_INPUT = 65
EXIT_FINDINGS = 79


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` owns every exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _add_input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories of policy YAML/JSON; '-' reads stdin")
    p.add_argument("--rev", help="read the files of this git revision instead of the working tree")
    p.add_argument("--mesh", help="only this mesh")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="meshroute", description="Offline analysis of Kuma / Kong Mesh route policies.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("summary", help="what the loader found: documents by status, policies, proxies, services")
    _add_input_options(p)
    p.add_argument("-o", "--output", choices=("table", "json"), default="table")
    return parser


def _load(args: argparse.Namespace) -> PolicyRepo:
    return load_repo(args.paths, rev=args.rev)


def _summary(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    repo = _load(args)
    if args.output == "json":
        json.dump(repo.summary(), out, indent=2, sort_keys=True)
        out.write("\n")
    else:
        out.write(repr(repo) + "\n")
    bad = repo.documents[repo.documents["status"] == "error"]
    for row in bad.itertuples():
        err.write(f"{row.file}:{row.line}: {row.reason}\n")
    return EXIT_OK


_COMMANDS = {"summary": _summary}


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        return _COMMANDS[args.command](args, out, err)
    except UsageError as exc:
        err.write(f"{exc}\nusage: see 'meshroute --help'\n")
        return EXIT_USAGE
    except InputError as exc:
        err.write(f"meshroute: {exc}\n")
        return EXIT_INPUT
    except SystemExit as exc:  # --help and --version exit through argparse
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - the one place that turns a crash into exit 1 with a message
        err.write(f"meshroute: internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_INTERNAL


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
