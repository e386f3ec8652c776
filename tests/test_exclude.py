"""Exclude globs: load_repo(exclude=...) and --exclude; excluded files are never opened, and counted."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

import meshroute_analysis as mra
from meshroute_analysis.cli import EXIT_OK, EXIT_USAGE, main
from meshroute_analysis.io.exclude import Exclude, compile_excludes

ROUTE = "type: MeshTCPRoute\nname: {name}\nmesh: default\nspec:\n  targetRef: {{kind: Mesh}}\n"


@pytest.fixture
def tree(write, tmp_path):
    for relative in ("policies/a.yaml", "policies/b.tmpl.yaml", "vendor/x.yaml", "vendor/deep/y.yaml",
                     "charts/c/templates/z.yaml", "envs/dev/charts/w.yaml", "envs/dev/keep.yaml"):
        write(relative, ROUTE.format(name=Path(relative).stem.replace(".", "-")))
    return tmp_path


@pytest.mark.parametrize(("pattern", "relative", "excluded"), [
    ("*.tmpl.yaml", "policies/b.tmpl.yaml", True),       # no slash: a name at any depth
    ("*.tmpl.yaml", "b.tmpl.yaml", True),
    ("*.tmpl.yaml", "policies/b.yaml", False),
    ("vendor/**", "vendor/deep/y.yaml", True),          # a slash: anchored at the root
    ("vendor/**", "envs/vendor/y.yaml", False),
    ("vendor", "envs/vendor/y.yaml", True),             # a directory name anywhere takes its contents along
    ("**/charts/**", "charts/c/templates/z.yaml", True),
    ("**/charts/**", "envs/dev/charts/w.yaml", True),
    ("**/charts/**", "envs/dev/charts.yaml", False),
    ("charts/", "envs/dev/charts/w.yaml", True),        # a trailing slash: directories only
    ("charts/", "envs/dev/charts", False),
    ("/envs", "envs/dev/keep.yaml", True),
    ("envs/*/keep.yaml", "envs/dev/keep.yaml", True),
    ("envs/*/keep.yaml", "envs/dev/sub/keep.yaml", False),  # * never crosses a slash
    ("envs/**/keep.yaml", "envs/dev/sub/keep.yaml", True),
    ("draft-?.yaml", "p/draft-1.yaml", True),
    ("draft-[!0-9].yaml", "p/draft-1.yaml", False),
    ("draft-[!0-9].yaml", "p/draft-x.yaml", True),
])
def test_gitignore_like_matching(pattern, relative, excluded):
    assert Exclude(pattern).matches(relative) is excluded


@pytest.mark.parametrize("bad", ["", "/", "!keep.yaml"])
def test_patterns_that_cannot_mean_anything_are_usage_errors(bad):
    with pytest.raises(mra.UsageError, match="exclude"):
        compile_excludes([bad])


def test_load_repo_leaves_excluded_files_unread_and_lists_them(tree, monkeypatch):
    opened: list[str] = []
    real_open = Path.open

    def watching_open(self, *args, **kwargs):
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", watching_open)
    repo = mra.load_repo(tree, exclude=["vendor/**", "**/charts/**", "*.tmpl.yaml"])
    assert sorted(repo.policies.name) == ["a", "keep"]
    assert sorted(opened) == ["a.yaml", "keep.yaml"]
    assert dict(repo.excluded) == {
        str(tree / "charts/c/templates/z.yaml"): "**/charts/**",
        str(tree / "envs/dev/charts/w.yaml"): "**/charts/**",
        str(tree / "policies/b.tmpl.yaml"): "*.tmpl.yaml",
        str(tree / "vendor/deep/y.yaml"): "vendor/**",
        str(tree / "vendor/x.yaml"): "vendor/**",
    }
    assert repo.summary()["excluded_files"] == 5
    assert "excluded:  5 files" in repr(repo)


def test_patterns_are_relative_to_each_root(tree):
    repo = mra.load_repo([tree / "envs", tree / "policies"], exclude=["dev/charts/**", "a.yaml"])
    assert sorted(repo.policies.name) == ["b-tmpl", "keep"]


def test_a_file_named_explicitly_is_read(tree):
    repo = mra.load_repo(tree / "policies" / "b.tmpl.yaml", exclude=["*.tmpl.yaml"])
    assert list(repo.policies.name) == ["b-tmpl"] and not repo.excluded


def test_one_string_is_refused_rather_than_read_letter_by_letter(tree):
    with pytest.raises(mra.UsageError, match="list of globs"):
        mra.load_repo(tree, exclude="vendor/**")


def test_exclude_applies_at_a_git_revision(tree):
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    subprocess.run(["git", "-C", str(tree), "add", "."], check=True)
    subprocess.run(["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], check=True)
    repo = mra.load_repo(tree, rev="HEAD", exclude=["vendor/**", "**/charts/**", "*.tmpl.yaml"])
    assert sorted(repo.policies.name) == ["a", "keep"]
    assert sorted(Path(p).name for p in repo.excluded) == ["b.tmpl.yaml", "w.yaml", "x.yaml", "y.yaml", "z.yaml"]


@pytest.mark.parametrize("command", ["summary", "audit", "resolve", "report"])
def test_every_command_that_reads_paths_takes_exclude(tree, command, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    extra = ["-o", str(tmp_path / "report")] if command == "report" else []
    argv = [command, str(tree), "--exclude", "vendor/**", "--exclude", "*.tmpl.yaml", "--no-config", *extra]
    assert main(argv, stdout=out, stderr=err) == EXIT_OK
    assert "meshroute: note: 3 files excluded (*.tmpl.yaml: 1, vendor/**: 2)" in err.getvalue()


def test_explain_takes_exclude_too(tree):
    out, err = io.StringIO(), io.StringIO()
    argv = ["explain", str(tree), "--exclude", "vendor/**", "--source", "x", "--destination", "y"]
    assert main(argv, stdout=out, stderr=err) == EXIT_USAGE  # unknown source, but the flag is accepted
    assert "2 files excluded" in err.getvalue()


def test_summary_json_counts_the_excluded_files(tree):
    out = io.StringIO()
    assert main(["summary", str(tree), "--exclude", "**/charts/**", "-o", "json"], stdout=out, stderr=io.StringIO()) == 0
    assert json.loads(out.getvalue())["excluded_files"] == 2


def test_bad_exclude_flag_is_exit_64(tree):
    err = io.StringIO()
    assert main(["audit", str(tree), "--exclude", "!x"], stdout=io.StringIO(), stderr=err) == EXIT_USAGE
    assert "re-including with '!' is not supported" in err.getvalue()
