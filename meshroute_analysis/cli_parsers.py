"""The parsers of the ``meshroute report`` and ``meshroute diff`` subcommands.

They live apart from the commands (:mod:`.report`, :mod:`.diff.cli`, which re-export them) so that building
the ``meshroute`` parser, all that ``meshroute --help`` does, imports neither pandas nor matplotlib.
"""

from __future__ import annotations

import argparse
from typing import Any

from .cli_input import add_input_options, add_threshold_options

__all__ = ["DIFF_FRAMES", "add_diff_subcommand", "add_report_subcommand"]

#: The frames ``meshroute diff -o csv --frame`` writes.
DIFF_FRAMES = ("pairs", "backends", "findings", "policies")


def add_report_subcommand(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``meshroute report PATH... -o DIR`` to the ``meshroute`` subparsers."""
    p = subparsers.add_parser("report", help="write a review report (Markdown, HTML, CSV, SVG/PNG charts)",
                              description="Write a review report of the repository: findings, the resolved route "
                                          "table and charts, as report.md, index.html, CSVs and SVG (or PNG) charts.")
    add_input_options(p)
    p.add_argument("-o", "--out-dir", dest="out_dir", default="meshroute-report", metavar="DIR",
                   help="directory to write (created; default: meshroute-report)")
    add_threshold_options(p, fail_on_help="exit 79 when a finding has this severity or worse (default: error, as audit); "
                                          "with --base, when the change introduces one")
    p.add_argument("--base", metavar="REV",
                   help="open the report with what the change from git revision REV to --rev (default: the working "
                        "tree) does: changed pairs, before/after charts, findings introduced and fixed")
    p.add_argument("--source-url", metavar="URL",
                   help="link every finding's file:line in index.html to URL/FILE#LINE (e.g. "
                        "https://github.com/ORG/REPO/blob/SHA); default: no link, the report stays offline")
    p.add_argument("--help-base-url", metavar="URL",
                   help="link finding codes to URL/docs/findings.md#CODE; default: the glossary at the end of the page")
    p.add_argument("--chart-format", metavar="FORMATS", default=None,
                   help="the charts' formats: svg, png or svg,png (default: svg; each format draws every chart again)")
    return p



def add_diff_subcommand(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``meshroute diff`` to the ``meshroute`` subparsers."""
    p = subparsers.add_parser(
        "diff", help="what a change does to traffic: pairs, shares, findings introduced and fixed",
        description="Compare two revisions (PATH... --base REV [--head REV]) or two folders (BEFORE_DIR AFTER_DIR): "
                    "which (source, destination) pairs change route type, policies, status or shares, which findings "
                    "the change introduces or fixes, which policies it adds, removes or modifies.")
    add_input_options(p, rev=False, paths_help="with --base or --to-kuma-version: the repository's policy files or "
                                               "directories; otherwise BEFORE_DIR AFTER_DIR")
    p.add_argument("--base", metavar="REV", help="the git revision before the change (e.g. origin/main)")
    p.add_argument("--head", metavar="REV", help="the git revision after the change (default: the working tree)")
    p.add_argument("--to-kuma-version", metavar="VERSION",
                   help="compare the repository under --kuma-version (the before side) and under VERSION: what "
                        "upgrading the control plane does to traffic")
    p.add_argument("-o", "--output", choices=("table", "json", "csv", "markdown", "sarif"), default="table")
    p.add_argument("--frame", choices=DIFF_FRAMES, default="pairs", help="the frame -o csv writes (default: pairs)")
    add_threshold_options(p, fail_on_help="exit 79 when the change introduces a finding of this severity or worse "
                                          "(default: error)")
    p.add_argument("--sarif-root", metavar="DIR", help="make SARIF URIs relative to DIR (default: the current directory)")
    p.add_argument("--help-base-url", metavar="URL", help="where this project's docs are browsable, for SARIF rule links")
    return p
