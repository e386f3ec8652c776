"""The ``meshroute`` command.

Exit codes (sysexits, as istioctl uses them): 0 clean, 1 internal error, 64 usage, 65 unreadable input,
79 findings at or above the failure threshold.  Machine output goes to stdout, human notes to stderr,
and the exit code never depends on the output format.

Unreadable input: a path that does not exist is 65 for every subcommand.  Files or YAML documents that
cannot be parsed (``repo.documents`` status ``error``, finding MRA001) are 65 too, unless other findings
already decide the exit code (79), as ``istioctl analyze`` does; ``--skip MRA001`` accepts them.
``resolve`` and ``explain`` still write their output for the documents that could be read.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .cli_input import add_input_options, add_threshold_options, fail_on, kuma_version, load, load_cache, skips
from .cli_parsers import add_diff_subcommand, add_report_subcommand
from .errors import InputError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from .repo import PolicyRepo

# pandas, the resolver, the audit, the report (matplotlib) and the diff are imported by the subcommands that
# use them: building the parser, which is all ``meshroute --help`` does, imports none of them
# (tests/test_cli_startup.py checks it).

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 64
EXIT_INPUT = 65
EXIT_FINDINGS = 79


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` owns every exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}\nusage: see '{self.prog} --help'")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(prog="meshroute", description="Offline analysis of Kuma / Kong Mesh route policies.")
    parser.add_argument("--version", action="version", version=f"meshroute {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("summary", help="what the loader found: documents by status, policies, proxies, services")
    add_input_options(p)
    p.add_argument("-o", "--output", choices=("table", "json"), default="table")

    p = sub.add_parser("audit", help="coded findings (MRA###) with file, line and field; exit 79 at --fail-on")
    add_input_options(p)
    p.add_argument("-o", "--output", choices=("table", "json", "csv", "sarif"), default="table")
    add_threshold_options(p, fail_on_help="the lowest severity that fails the run with exit 79 (default: error)")
    p.add_argument("--help-base-url", metavar="URL",
                   help="where this project's docs are browsable (e.g. https://github.com/ORG/REPO/blob/main): "
                        "SARIF rules then link to their section of docs/findings.md")
    p.add_argument("--sarif-root", metavar="DIR",
                   help="make SARIF URIs relative to DIR (default: the current directory, i.e. run from the repository root)")
    p.add_argument("--base", metavar="REV",
                   help="report only the findings the change from git revision REV introduces (to --rev, default: the "
                        "working tree), in every format; SARIF then flags what a pull request adds")

    p = sub.add_parser("resolve", help="which route wins for every (source, destination) and where the traffic goes")
    add_input_options(p)
    p.add_argument("-o", "--output", choices=("table", "json", "csv"), default="table")
    p.add_argument("--backends", action="store_true", help="one row per backend (res.backends) instead of per pair")

    p = sub.add_parser("explain", help="the step-by-step why of one (source, destination) pair")
    add_input_options(p)
    p.add_argument("--source", required=True, help="a source group or one of its proxies")
    p.add_argument("--destination", required=True, help="a destination service (kuma.io/service)")

    p = sub.add_parser("rules", help="the finding codes: code, severity, title, description")
    p.add_argument("-o", "--output", choices=("table", "json", "csv", "markdown"), default="table")

    add_report_subcommand(sub)
    add_diff_subcommand(sub)
    return parser


def _summary(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    repo = load(args, err)
    if args.output == "json":
        json.dump(repo.summary(), out, indent=2, sort_keys=True)
        out.write("\n")
    else:
        out.write(repr(repo) + "\n")
    return EXIT_INPUT if _parse_failures(repo, err) else EXIT_OK


# ------------------------------------------------------------------------------------------ helpers


def _flat(value: Any) -> Any:
    """A CSV/table-ready cell: a tuple of names becomes ``a;b``, a tags dict ``k=v,k2=v2``."""
    if isinstance(value, (list, tuple)):
        return ";".join(str(_flat(v)) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(value.items()))
    return value


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a frame cell: tuples become lists, NaN/NA become null."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or _is_na(value) or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _is_na(value: Any) -> bool:
    """``value is pd.NA``, without importing pandas for it (a frame cell means pandas is loaded already)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is pandas.NA


def _write_frame(frame: pd.DataFrame, fmt: str, out: TextIO) -> None:
    import pandas as pd

    if fmt == "json":
        json.dump([{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")], out, indent=2)
        out.write("\n")
    elif fmt == "csv":
        frame.map(_flat).to_csv(out, index=False, lineterminator="\n")
    elif frame.empty:
        out.write("(no rows)\n")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250,
                               "display.max_colwidth", 60, "display.colheader_justify", "left"):
            out.write(frame.map(_flat).to_string(index=False, justify="left") + "\n")


def _location(file: Any, line: Any) -> str:
    """``file:line``, or just ``file`` when the problem is the whole file (no line)."""
    has_line = line is not None and not _is_na(line) and not (isinstance(line, float) and math.isnan(line)) and int(line) > 0
    return f"{file}:{int(line)}" if has_line else f"{file}"


def _parse_failures(repo: PolicyRepo, err: TextIO) -> int:
    bad = repo.documents[repo.documents["status"] == "error"]
    for row in bad.itertuples():
        err.write(f"{_location(row.file, row.line)}: {row.reason}\n")
    return len(bad)


def _mesh_filter(frame: pd.DataFrame, mesh: str | None) -> pd.DataFrame:
    return frame if mesh is None or frame.empty else frame[frame["mesh"] == mesh].reset_index(drop=True)


# ------------------------------------------------------------------------------------------ audit


def _audit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from . import __version__
    from .audit import audit, to_sarif

    repo = load(args, err)
    parsed = skips(args, repo.config, err)
    version = kuma_version(args, repo.config)
    if args.base is not None:  # --base '' is refused by the loader, not taken for no base
        findings, deciding = _introduced_since(args.base, args, repo, parsed, version)
    else:
        findings = deciding = audit(repo, skip=parsed, mesh=args.mesh, kuma_version=version)
    if args.output == "sarif":
        doc = to_sarif(findings, root=args.sarif_root, tool_version=__version__, help_base_url=args.help_base_url)
        _warn_outside_root(doc, args.sarif_root, err)
        json.dump(doc, out, indent=2)
        out.write("\n")
    elif args.output == "table":
        _write_findings_table(findings, out)
    else:
        _write_frame(findings, args.output, out)
    err.write(f"meshroute: audited as Kuma {version}\n")
    return _audit_exit(deciding, fail_on(args, repo.config), err)


def _introduced_since(base: str, args: argparse.Namespace, repo: PolicyRepo, skips: Any,
                      version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``audit --base``: the findings the change from ``base`` introduces (what is shown), and those that
    decide the exit status (the introduced ones, and input of this side that cannot be read)."""
    from .diff import diff
    from .diff.cli import for_mesh, introduced_for_exit
    from .repo import load_repo

    before = load_repo(args.paths, rev=base, system_namespaces=args.system_namespace, exclude=args.exclude, config=repo.config,
                       cache=load_cache(args))
    d = diff(before, repo, skip=skips, kuma_version=version)
    mesh = args.mesh
    introduced = for_mesh(d.introduced, mesh)
    deciding = introduced_for_exit(d, mesh)
    deciding.attrs["suppressed"] = d.findings.attrs.get("suppressed", (0, 0))[1]
    return introduced.reset_index(drop=True), deciding


def _warn_outside_root(doc: dict[str, Any], root: str | None, err: TextIO) -> None:
    """GitHub code scanning cannot place a result whose file lies outside the repository root."""
    outside = sorted(
        {
            loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in doc["runs"][0]["results"]
            for loc in result.get("locations", ())
            if loc["physicalLocation"]["artifactLocation"]["uri"].startswith("../")
        }
    )
    if outside:
        where = root or "the current directory"
        err.write(f"meshroute: warning: {len(outside)} file(s) lie outside {where}, so their SARIF locations "
                  f"({outside[0]}{', ...' if len(outside) > 1 else ''}) will not map in code scanning; run from the "
                  "repository root or pass --sarif-root\n")


def _write_findings_table(findings: pd.DataFrame, out: TextIO) -> None:
    """Compiler-style lines (``file:line: severity CODE [field] message``) that editors and CI logs link."""
    for row in findings.itertuples(index=False):
        where = _location(row.file, row.line) if row.file else "(no file)"
        field = f" [{row.path}]" if row.path else ""
        out.write(f"{where}: {row.severity} {row.code}{field} {row.message}\n")


def _audit_exit(findings: pd.DataFrame, fail_on: str, err: TextIO) -> int:
    """Say on stderr what was found and what fails, and return the exit status (never dependent on -o)."""
    from .audit import exit_status, failing

    counts = findings["severity"].value_counts().to_dict() if not findings.empty else {}
    suppressed = findings.attrs.get("suppressed", 0)
    parse_failures = int((findings["code"] == "MRA001").sum()) if not findings.empty else 0
    failed = failing(findings, fail_on)
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("error", "warning", "info"))
    extra = f"; {suppressed} suppressed" if suppressed else ""
    if findings.empty:
        err.write(f"No findings{extra}.\n")
    else:
        err.write(f"{len(findings)} finding{'' if len(findings) == 1 else 's'}: {summary}{extra}.\n")
    status = exit_status(findings, fail_on)
    if status == EXIT_FINDINGS:
        note = f"; MRA001 (unreadable input) is counted apart, as exit {EXIT_INPUT}" if parse_failures else ""
        err.write(f"Failing: {len(failed)} finding(s) at or above {fail_on!r} (exit {EXIT_FINDINGS}){note}.\n")
    elif status == EXIT_INPUT:
        err.write(f"{parse_failures} file(s)/document(s) could not be parsed (MRA001; exit {EXIT_INPUT}).\n")
    return status


# ------------------------------------------------------------------------------------------ resolve


def _resolve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from . import frames
    from .resolve import resolve

    repo = load(args, err)
    res = resolve(repo, kuma_version=kuma_version(args, repo.config))
    err.write(f"meshroute: resolved as Kuma {res.kuma_version}\n")
    frame = _mesh_filter(res.backends if args.backends else res.routes, args.mesh)
    if args.output == "table":
        # A terminal table keeps the contract's columns; json and csv carry every column.
        frame = frame[list(frames.RES_BACKENDS if args.backends else frames.RES_ROUTES)]
    _write_frame(frame, args.output, out)
    return EXIT_INPUT if _parse_failures(repo, err) else EXIT_OK


def _explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .resolve import UnknownNameError, resolve

    repo = load(args, err)
    res = resolve(repo, kuma_version=kuma_version(args, repo.config))
    mesh = args.mesh or _mesh_of(res, args.source)
    try:
        explanation = res.explain(args.source, args.destination, mesh=mesh)
    except UnknownNameError as exc:
        raise UsageError(f"meshroute explain: {exc}") from None
    out.write(str(explanation) + "\n")
    return EXIT_INPUT if _parse_failures(repo, err) else EXIT_OK


def _mesh_of(res: Any, source: str) -> str:
    """The mesh of ``source`` when it is in exactly one mesh, else Kuma's ``default``."""
    proxies = res.proxies
    meshes = set(proxies.loc[(proxies["source"] == source) | (proxies["proxy"] == source), "mesh"])
    return meshes.pop() if len(meshes) == 1 else "default"


# ------------------------------------------------------------------------------------------ rules


def _rules(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import pandas as pd

    from .audit import CODES, codes_markdown

    if args.output == "markdown":
        out.write(codes_markdown())
        return EXIT_OK
    rows = [(c.code, c.severity, c.group, c.title, c.description, c.help_path) for c in CODES.values()]
    frame = pd.DataFrame(rows, columns=["code", "severity", "concern", "title", "description", "help"])
    if args.output == "table":
        frame = frame[["code", "severity", "concern", "title"]]
    _write_frame(frame, args.output, out)
    return EXIT_OK


def _report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .report import run_report

    return run_report(args, out, err)


def _diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .diff.cli import run_diff

    return run_diff(args, out, err)


_COMMANDS = {"summary": _summary, "audit": _audit, "resolve": _resolve, "explain": _explain, "rules": _rules,
             "report": _report, "diff": _diff}


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    # Started with stdout or stderr closed (``>&-``), Python has None there: what would go to a closed
    # stream is dropped, and the exit status stays the run's own (never 1 for a stream nobody reads).
    out = stdout or sys.stdout or io.StringIO()
    err = _Notes(stderr or sys.stderr or io.StringIO())
    # Machine output is collected first and written at the end, so that a reader that goes away early
    # (``| head``) cannot turn the run's real exit status into a crash.
    buffer = io.StringIO()
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        status = _COMMANDS[args.command](args, buffer, err)
    except UsageError as exc:
        text = str(exc)
        err.write(text + ("" if "usage:" in text else "\nusage: see 'meshroute --help'") + "\n")
        status = EXIT_USAGE
    except InputError as exc:
        err.write(f"meshroute: {exc}\n")
        status = EXIT_INPUT
    except SystemExit as exc:  # --help and --version exit through argparse
        status = int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - the one place that turns a crash into exit 1 with a message
        err.write(f"meshroute: internal error: {type(exc).__name__}: {exc}\n")
        status = EXIT_INTERNAL
    _emit(buffer.getvalue(), out)
    return status


class _Notes(io.TextIOBase):
    """stderr for notes: a note that cannot be written (stderr closed or gone) is dropped, not a crash."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:  # type: ignore[override]
        try:
            return self._stream.write(text)
        except (OSError, ValueError):
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except (OSError, ValueError):
            pass

    def isatty(self) -> bool:
        try:
            return self._stream.isatty()
        except (OSError, ValueError, AttributeError):
            return False


def _emit(text: str, out: TextIO) -> None:
    try:
        out.write(text)
        out.flush()
    except (BrokenPipeError, OSError, ValueError):
        # The reader closed the pipe, or stdout was closed: point stdout at /dev/null so the interpreter's
        # own flush at exit does not fail again, and keep the exit status.
        if out is sys.stdout:
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):
                pass


def _reserve_standard_fds() -> None:
    """Give a closed fd 0, 1 or 2 to /dev/null, so that no file opened later (an input file!) takes that
    number and receives what is written to the standard stream of that number."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one


def run() -> None:
    """Console-script entry point."""
    _reserve_standard_fds()
    sys.exit(main())
