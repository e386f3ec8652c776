"""How a ``meshroute`` subcommand turns its PATH arguments, its flags and the repository's config file into
a loaded repository: the options every subcommand that reads paths shares, and the precedence between
them (a flag given on the command line replaces the config file's value for its key).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .config import Config, find_config, load_config
from .errors import UsageError

if TYPE_CHECKING:
    from .audit import Skip
    from .io.memo import ParseMemo
    from .repo import PolicyRepo

__all__ = ["add_input_options", "add_threshold_options", "config_of", "fail_on", "kuma_version", "load", "load_cache",
           "skips"]

_DEFAULT_FAIL_ON = "error"


def add_input_options(p: argparse.ArgumentParser, *, paths_help: str | None = None, rev: bool = True) -> None:
    """PATH..., --rev (unless ``rev`` is False), --mesh, --system-namespace, --exclude, --kuma-version,
    --zone, --follow-symlinks, --no-cache, --config / --no-config."""
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help=paths_help or "files or directories of policy YAML/JSON; '-' reads stdin")
    if rev:
        p.add_argument("--rev", help="read the files of this git revision instead of the working tree")
    p.add_argument("--mesh", help="only this mesh")
    p.add_argument("--system-namespace", action="append", metavar="NS",
                   help="the control plane's Kubernetes namespace, where 2.5 admits route policies (repeatable; "
                        "default: kuma-system and kong-mesh-system)")
    p.add_argument("--exclude", action="append", metavar="GLOB",
                   help="leave out files found below a PATH directory that match GLOB, relative to it, gitignore-"
                        "like: '*.tmpl.yaml', 'vendor/**', '**/charts/**' (repeatable; replaces the config's exclude)")
    p.add_argument("--kuma-version", metavar="VERSION",
                   help="the Kuma control plane to model: 2.5 to 2.14 or a full x.y.z (default: the config's "
                        "kuma-version, else 2.5)")
    p.add_argument("--zone", metavar="NAME",
                   help="the zone that control plane runs as, which 2.9+ labels and KRIs carry (default: the "
                        "config's zone, else Kuma's 'default')")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="follow symlinks whose target lies outside the repository (default: list them as skipped)")
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor write the load cache (by default what loading made of the files is kept, "
                        "keyed by their content, in $MESHROUTE_CACHE_DIR or the user cache directory, e.g. "
                        "~/.cache/meshroute_analysis; MESHROUTE_NO_CACHE=1 turns it off too)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--config", metavar="FILE",
                       help="read settings from FILE (.meshroute.toml, or pyproject.toml's [tool.meshroute]) "
                            "instead of looking upward from the first PATH")
    which.add_argument("--no-config", action="store_true", help="use no config file")


def add_threshold_options(p: argparse.ArgumentParser, *, fail_on_help: str) -> None:
    """--fail-on and --skip, for the subcommands that audit."""
    p.add_argument("--fail-on", choices=("info", "warning", "error"), default=None, help=fail_on_help)
    p.add_argument("--skip", action="append", default=None, metavar="CODE[=GLOB]",
                   help="drop findings of CODE (for policies whose key or name matches GLOB); repeatable, "
                        "comma-separated; replaces the config's skip")


def config_of(args: argparse.Namespace) -> Config:
    """The config this run uses: --config's file, none with --no-config, else the one found from the first PATH."""
    if getattr(args, "no_config", False):
        return Config()
    explicit = getattr(args, "config", None)
    if explicit:
        path = Path(explicit)
        if path.suffix != ".toml" or path.is_dir():
            raise UsageError(f"--config {explicit}: expected a .toml file (.meshroute.toml or pyproject.toml)")
        return load_config(path)
    first = str(args.paths[0])
    found = find_config(Path.cwd() if first == "-" else Path(first))
    return load_config(found) if found is not None else Config()


def load_cache(args: argparse.Namespace) -> bool:
    """Whether this run's loads use the load cache: the commands do unless ``--no-cache`` (CI runs load the
    same repository again and again; ``MESHROUTE_NO_CACHE=1`` still turns it off everywhere)."""
    return not getattr(args, "no_cache", False)


def load(args: argparse.Namespace, err: TextIO, *, memo: ParseMemo | None = None) -> PolicyRepo:
    """Load the paths with the config and the flags; say on stderr which config file is used, how many files
    were excluded, and when nothing was found (a wrong path in CI should not look clean); refuse a ``--mesh``
    the repository does not have."""
    config = config_of(args)
    if config.path is not None:
        err.write(f"meshroute: config: {config.path}\n")
    from .repo import load_repo  # pandas: only for the subcommands that read a repository

    repo = load_repo(args.paths, rev=getattr(args, "rev", None), system_namespaces=args.system_namespace, exclude=args.exclude,
                     config=config, memo=memo, follow_symlinks=getattr(args, "follow_symlinks", False),
                     zone=getattr(args, "zone", None), cache=load_cache(args))
    _note_excluded(repo, err)
    if not len(repo.content.documents):
        err.write(f"meshroute: note: no .yaml/.yml/.json documents found in {', '.join(map(str, args.paths))}\n")
    mesh = getattr(args, "mesh", None)
    if mesh is not None and repo.content.meshes and mesh not in repo.content.meshes:
        raise UsageError(f"unknown mesh {mesh!r}; the repository has: {', '.join(repo.content.meshes)}")
    return repo


def _note_excluded(repo: PolicyRepo, err: TextIO) -> None:
    if not repo.excluded:
        return
    by_pattern = Counter(repo.excluded.values())
    detail = ", ".join(f"{pattern}: {n}" for pattern, n in sorted(by_pattern.items()))
    n = len(repo.excluded)
    err.write(f"meshroute: note: {n} file{'' if n == 1 else 's'} excluded ({detail})\n")


def skips(args: argparse.Namespace, config: Config | None, err: TextIO) -> tuple[Skip, ...]:
    """The suppressions of this run, parsed: --skip, else the config's ``skip``; unknown codes are warned
    about on stderr (as istioctl does), naming where they came from."""
    from .audit import parse_skips

    values: Sequence[str] = ()
    origin = "--skip"
    if args.skip is not None:
        values = args.skip
    elif config is not None and config.skip:
        values, origin = config.skip, f"skip in {config.path}"
    parsed, unknown = parse_skips(values)
    if any(not code.strip() for code in unknown):
        raise UsageError(f"{origin} needs a finding code, as in --skip MRA302 or --skip 'MRA302=canary-*'")
    if unknown:
        err.write(f"meshroute: warning: unknown finding code(s) in {origin}, ignored: {', '.join(unknown)} "
                  "(see 'meshroute rules')\n")
    return parsed


def kuma_version(args: argparse.Namespace, config: Config | None) -> str:
    """The Kuma version to model: --kuma-version, else the config's, else 2.5; an unknown one is a usage error
    that lists the known ones."""
    from .resolve.semantics import DEFAULT_VERSION, semantics_for

    chosen = getattr(args, "kuma_version", None) or (config.kuma_version if config is not None else None) or DEFAULT_VERSION
    semantics_for(chosen)  # raises UsageError naming the supported versions
    return chosen


def fail_on(args: argparse.Namespace, config: Config | None) -> str:
    """The failure threshold: --fail-on, else the config's, else error."""
    return args.fail_on or (config.fail_on if config is not None else None) or _DEFAULT_FAIL_ON
