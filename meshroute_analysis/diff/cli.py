"""``meshroute diff``: what a change does, for a terminal, a script or a pull request.

    meshroute diff PATH... --base REV [--head REV]     two git revisions (head: the working tree)
    meshroute diff BEFORE_DIR AFTER_DIR                 two folders
    meshroute diff PATH... --to-kuma-version V           one repository, two Kuma versions (--kuma-version
                                                        and V): what a control-plane upgrade does

Exit codes are the audit's, for the findings the change *introduces*: 0 when none is at or above
``--fail-on``, 79 when one is, 65 when the after side has input that cannot be read (MRA001), 64 for
usage errors.  ``-o sarif`` holds the introduced findings only, so code scanning flags what the change adds.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

import pandas as pd

from ..cli_input import config_of, fail_on, kuma_version, load_cache, skips
from ..cli_parsers import DIFF_FRAMES as FRAMES
from ..cli_parsers import add_diff_subcommand
from ..config import Config
from ..errors import UsageError
from .result import Diff

__all__ = ["add_diff_subcommand", "diff_exit_status", "for_mesh", "introduced_for_exit", "run_diff"]

def load_diff(args: argparse.Namespace, err: TextIO) -> tuple[Diff, Config]:
    """The diff the arguments name: two revisions of the paths, two folders, or one repository under two
    Kuma versions; every side is loaded with the same config file, excludes and namespaces."""
    from ..io.memo import ParseMemo
    from ..repo import load_repo
    from ..resolve import resolve
    from .result import diff, diff_revisions

    config = config_of(args)
    if config.path is not None:
        err.write(f"meshroute: config: {config.path}\n")
    skip = skips(args, config, err)
    version = kuma_version(args, config)
    options: dict[str, Any] = {"system_namespaces": args.system_namespace, "exclude": args.exclude, "config": config,
                               "cache": load_cache(args)}
    if args.to_kuma_version is not None:
        if args.base is not None:
            raise UsageError("meshroute diff: compare two revisions (--base) or two Kuma versions (--to-kuma-version), not both")
        target = kuma_version(argparse.Namespace(kuma_version=args.to_kuma_version), None)
        repo = load_repo(args.paths, rev=args.head, **options)
        return diff(resolve(repo, kuma_version=version), resolve(repo, kuma_version=target), skip=skip), config
    if args.base is not None:
        return diff_revisions(args.paths, base=args.base, head=args.head, skip=skip, kuma_version=version, **options), config
    if args.head:
        raise UsageError("meshroute diff: --head needs --base (the revision before the change)")
    if len(args.paths) != 2:
        raise UsageError("meshroute diff: give --base REV, --to-kuma-version VERSION, or exactly two paths: BEFORE_DIR AFTER_DIR")
    memo = ParseMemo()  # the two folders usually share most files: parse each content once
    before, after = (load_repo(p, memo=memo, **options) for p in args.paths)
    return diff(before, after, skip=skip, kuma_version=version), config


def for_mesh(frame: pd.DataFrame, mesh: str | None) -> pd.DataFrame:
    """The rows of ``mesh`` (and those of no mesh, such as unreadable files); all of them for None."""
    if mesh is None or frame.empty:
        return frame
    keep = frame["mesh"].isna() | (frame["mesh"] == mesh) if "mesh" in frame.columns else slice(None)
    return frame[keep].reset_index(drop=True)


def introduced_for_exit(d: Diff, mesh: str | None = None) -> pd.DataFrame:
    """The findings that decide the exit status: the introduced ones, plus input of the after side that
    cannot be read (MRA001, introduced or not: the diff cannot see what those files hold)."""
    f = for_mesh(d.findings, mesh)
    return f[(f["state"] == "introduced") | ((f["state"] == "unchanged") & (f["code"] == "MRA001"))]


def diff_exit_status(d: Diff, fail_on: str, mesh: str | None = None) -> int:
    from ..audit import exit_status

    return exit_status(introduced_for_exit(d, mesh), fail_on)


def _write_table(d: Diff, mesh: str | None, out: TextIO) -> None:
    """For a terminal and a CI log: the verdict, one line per changed pair, compiler-style lines for the
    findings introduced and fixed (``file:line: severity CODE [field] message``), one line per policy."""
    from ..cli import _location

    out.write(f"{d.verdict}\n")
    pairs = for_mesh(d.pairs, mesh)
    if not pairs.empty:
        out.write(f"\nPairs ({len(pairs)}):\n")
        for row in pairs.itertuples(index=False):
            out.write(f"  {row.change:<8} {row.mesh}: {row.source} → {row.destination}: {row.what}\n")
    findings = for_mesh(d.findings, mesh)
    for state in ("introduced", "fixed"):
        rows = findings[findings["state"] == state]
        if rows.empty:
            continue
        out.write(f"\nFindings {state} ({len(rows)}):\n")
        for row in rows.itertuples(index=False):
            where = _location(row.file, row.line) if row.file else "(no file)"
            field = f" [{row.path}]" if row.path else ""
            out.write(f"  {where}: {row.severity} {row.code}{field} {row.message}\n")
    policies = for_mesh(d.policies, mesh)
    if not policies.empty:
        out.write(f"\nPolicies ({len(policies)}):\n")
        for row in policies.itertuples(index=False):
            fields = f": {', '.join(row.fields)}" if row.fields else ""
            out.write(f"  {row.change:<8} {row.mesh}: {row.policy}{fields}\n")


def _write_json(d: Diff, mesh: str | None, out: TextIO) -> None:
    from ..cli import _plain

    doc: dict[str, Any] = {"summary": d.summary()}
    for name in FRAMES:
        frame = for_mesh(getattr(d, name), mesh)
        doc[name] = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    json.dump(doc, out, indent=2)
    out.write("\n")


def _write_sarif(d: Diff, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    from .. import __version__
    from ..audit import to_sarif
    from ..cli import _warn_outside_root

    introduced = for_mesh(d.introduced, args.mesh)
    doc = to_sarif(introduced, root=args.sarif_root, tool_version=__version__, help_base_url=args.help_base_url)
    _warn_outside_root(doc, args.sarif_root, err)
    json.dump(doc, out, indent=2)
    out.write("\n")


def _note_unreadable(d: Diff, err: TextIO) -> None:
    docs = d.audit("after")
    for row in docs[docs["code"] == "MRA001"].itertuples(index=False):
        err.write(f"{row.file}: {row.message}\n")


def run_diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``diff`` subcommand: machine output on stdout, the verdict and the exit reason on stderr."""
    from ..cli import _write_frame

    d, config = load_diff(args, err)
    threshold = fail_on(args, config)
    mesh = args.mesh
    if mesh is not None and mesh not in d.meshes:
        raise UsageError(f"unknown mesh {mesh!r}; the two sides have: {', '.join(d.meshes)}")
    if args.output == "table":
        _write_table(d, mesh, out)
    elif args.output == "json":
        _write_json(d, mesh, out)
    elif args.output == "csv":
        _write_frame(for_mesh(getattr(d, args.frame), mesh), "csv", out)
    elif args.output == "markdown":
        from .review import diff_markdown

        out.write(diff_markdown(d, mesh=mesh))
    else:
        _write_sarif(d, args, out, err)
    _note_unreadable(d, err)
    status = diff_exit_status(d, threshold, mesh)
    if args.output != "table":
        err.write(f"{d.verdict}\n")
    if status == 79:
        n = len(introduced_for_exit(d, mesh).query("code != 'MRA001'"))
        err.write(f"Failing: the change introduces {n} finding(s) at or above {threshold!r} (exit 79).\n")
    elif status == 65:
        err.write("Some files of the after side could not be read (MRA001; exit 65).\n")
    return status
