"""The repository's config file: .meshroute.toml or [tool.meshroute]; where it is found; flags override it."""

from __future__ import annotations

import dataclasses
import html
import io
import json
from pathlib import Path

import pytest

import meshroute_analysis as mra
from meshroute_analysis.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, main
from meshroute_analysis.config import find_config

# MRA901 (info) for the TrafficRoute, and nothing else: the mesh has its inventory and no default policies.
LEGACY = """\
type: TrafficRoute
name: legacy
mesh: default
sources: [{match: {kuma.io/service: "*"}}]
destinations: [{match: {kuma.io/service: "*"}}]
conf: {destination: {kuma.io/service: "*"}}
---
type: Mesh
name: default
skipCreatingInitialPolicies: ["*"]
---
type: Dataplane
name: web
mesh: default
networking:
  address: 10.0.0.1
  inbound: [{port: 80, tags: {kuma.io/service: web, kuma.io/protocol: tcp}}]
  outbound: [{port: 1000, tags: {kuma.io/service: backend}}]
---
type: Dataplane
name: backend
mesh: default
networking:
  address: 10.0.0.2
  inbound: [{port: 80, tags: {kuma.io/service: backend, kuma.io/protocol: tcp}}]
"""
# Outside the control plane's namespace: invalid (MRA101) unless system-namespaces says otherwise.
K8S_ROUTE = """\
apiVersion: kuma.io/v1alpha1
kind: MeshTCPRoute
metadata: {name: route, namespace: mesh-system}
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: MeshService, name: backend}
"""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def repo_dir(write, tmp_path):
    (tmp_path / ".git").mkdir()  # the repository root: the search for a config file stops here
    write("policies/legacy.yaml", LEGACY)
    write("policies/vendor/route.yaml", K8S_ROUTE)
    return tmp_path


def test_every_key_is_read(repo_dir, write):
    path = write(".meshroute.toml", """\
        exclude = ["policies/vendor/**"]
        skip = ["MRA901"]
        system-namespaces = ["mesh-system"]
        fail-on = "info"
        """)
    config = mra.load_config(path)
    assert config == mra.Config(path=path, exclude=("policies/vendor/**",), skip=("MRA901",),
                                system_namespaces=("mesh-system",), fail_on="info")
    assert config.root == repo_dir


def test_pyproject_table_is_read_and_other_tables_ignored(repo_dir, write):
    path = write("pyproject.toml", """\
        [project]
        name = "x"

        [tool.meshroute]
        fail-on = "warning"

        [tool.ruff]
        line-length = 100
        """)
    assert mra.load_config(path) == mra.Config(path=path, fail_on="warning")


def test_config_fields_are_the_one_place_keys_are_declared():
    keys = {f.metadata["key"] for f in dataclasses.fields(mra.Config) if "key" in f.metadata}
    assert keys == {"exclude", "skip", "system-namespaces", "fail-on", "kuma-version", "zone"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        mra.Config().fail_on = "info"  # type: ignore[misc]


@pytest.mark.parametrize(("text", "message"), [
    ("exclude = []\nfail_on = 'info'\n", r"\.meshroute\.toml:2: unknown key 'fail_on' \(did you mean 'fail-on'\? known keys: exclude, fail-on, kuma-version, skip, system-namespaces, zone\)"),
    ("zone = 'Zone 1'\n", r"\.meshroute\.toml:1: zone: must be a zone name"),
    ("kuma-version = '2.15'\n", r"\.meshroute\.toml:1: kuma-version: Kuma version '2.15' is not modelled; supported versions: 2.5, 2.6, 2.7, 2.8"),
    ("kuma-version = 2.7\n", r"\.meshroute\.toml:1: kuma-version: must be a string"),
    ("fail-on = 'fatal'\n", r"\.meshroute\.toml:1: fail-on: must be one of info, warning, error; got 'fatal'"),
    ("skip = 'MRA901'\n", r"\.meshroute\.toml:1: skip: must be an array of non-empty strings"),
    ("system-namespaces = []\n", r"system-namespaces: must name at least one namespace"),
    ("exclude = ['!keep.yaml']\n", r"\.meshroute\.toml: exclude: '!keep.yaml': re-including with '!' is not supported"),
    ("exclude = ]\n", r"\.meshroute\.toml: not valid TOML: .*at line 1"),
])
def test_bad_config_is_a_usage_error_naming_file_line_and_key(repo_dir, write, text, message):
    path = write(".meshroute.toml", text)
    with pytest.raises(mra.UsageError, match=message):
        mra.load_config(path)
    code, _, err = run("audit", str(repo_dir / "policies"))
    assert code == EXIT_USAGE
    assert str(path) in err


def test_pyproject_without_the_table_is_refused_when_named_and_passed_by_when_found(repo_dir, write):
    write("pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(mra.UsageError, match="has no \\[tool.meshroute\\] table"):
        mra.load_config(repo_dir / "pyproject.toml")
    assert find_config(repo_dir / "policies") is None
    assert mra.load_config(repo_dir / "policies") == mra.Config()


def test_lookup_goes_upward_from_the_first_path_and_stops_at_the_repository_root(repo_dir, write):
    above = repo_dir.parent / ".meshroute.toml"
    assert not above.exists()
    assert find_config(repo_dir / "policies" / "vendor") is None
    own = write(".meshroute.toml", "fail-on = 'info'\n")
    assert find_config(repo_dir / "policies" / "vendor") == own
    assert find_config(repo_dir / "policies" / "legacy.yaml") == own  # a file: from its directory
    nearer = write("policies/pyproject.toml", "[tool.meshroute]\nfail-on = 'warning'\n")
    assert find_config(repo_dir / "policies" / "vendor") == nearer
    write("policies/.meshroute.toml", "fail-on = 'error'\n")
    assert find_config(repo_dir / "policies").name == ".meshroute.toml"  # wins over pyproject.toml beside it


def test_worktree_git_file_marks_the_root_too(tmp_path, write):
    write(".meshroute.toml", "fail-on = 'info'\n")
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: /elsewhere\n")
    assert find_config(tmp_path / "wt") is None


def test_load_repo_uses_the_config_it_is_given_and_arguments_override_it(repo_dir, write):
    config = mra.load_config(write(".meshroute.toml", "exclude = ['policies/vendor/**']\nsystem-namespaces = ['mesh-system']\n"))
    repo = mra.load_repo(repo_dir / "policies", config=config)
    assert list(repo.policies.name) == ["legacy"]
    assert list(repo.excluded.values()) == ["policies/vendor/**"]  # relative to the config file's directory
    assert repo.config is config and repo.summary()["config"] == str(config.path)
    assert f"config:    {config.path}" in repr(repo)
    everything = mra.load_repo(repo_dir / "policies", config=config, exclude=[])
    route = everything.policies.set_index("name").loc["route"]
    assert route.valid  # mesh-system is the system namespace, as the config says
    assert not mra.load_repo(repo_dir / "policies", config=config, exclude=[], system_namespaces=["kuma-system"]).policies.set_index("name").loc["route"].valid


def test_load_repo_reads_no_config_unless_given_one(repo_dir, write):
    write(".meshroute.toml", "exclude = ['policies/vendor/**']\n")
    repo = mra.load_repo(repo_dir / "policies")
    assert len(repo.policies) == 2 and repo.config is None and repo.summary()["config"] is None


def test_audit_applies_the_config_skip_unless_skip_is_given(repo_dir, write):
    config = mra.load_config(write(".meshroute.toml", "skip = ['MRA901']\nexclude = ['policies/vendor/**']\n"))
    repo = mra.load_repo(repo_dir / "policies", config=config)
    assert "MRA901" not in set(mra.audit(repo).code)
    assert "MRA901" in set(mra.audit(repo, skip=()).code)


def test_cli_finds_the_config_and_says_so(repo_dir, write):
    path = write(".meshroute.toml", "exclude = ['policies/vendor/**']\nfail-on = 'info'\n")
    code, _, err = run("audit", str(repo_dir / "policies"))
    assert code == EXIT_FINDINGS  # MRA901 is info, and the config fails on info
    assert f"meshroute: config: {path}" in err
    assert "1 file excluded (policies/vendor/**: 1)" in err


def test_flags_override_the_config(repo_dir, write):
    write(".meshroute.toml", "exclude = ['policies/vendor/**']\nfail-on = 'info'\nskip = ['MRA002']\n")
    policies = str(repo_dir / "policies")
    assert run("audit", policies)[0] == EXIT_FINDINGS  # MRA901 is info
    assert run("audit", policies, "--fail-on", "warning")[0] == EXIT_OK
    assert run("audit", policies, "--skip", "MRA901")[0] == EXIT_OK  # replaces the config's skip
    # --exclude replaces the config's exclude: the route in vendor/ is read again, and invalid (MRA101) ...
    code, out, _ = run("audit", policies, "--exclude", "nothing-matches", "--fail-on", "error")
    assert code == EXIT_FINDINGS and "MRA101" in out
    # ... unless --system-namespace names its namespace.
    assert run("audit", policies, "--exclude", "x", "--fail-on", "error", "--system-namespace", "mesh-system")[0] == EXIT_OK


def test_no_config_and_config_file(repo_dir, write, tmp_path):
    write(".meshroute.toml", "fail-on = 'info'\n")
    other = write("elsewhere/settings.toml", "skip = ['MRA901']\nfail-on = 'info'\nexclude = ['**']\n")
    policies = str(repo_dir / "policies")
    assert run("audit", policies)[0] == EXIT_FINDINGS
    code, _, err = run("audit", policies, "--no-config")
    assert code == EXIT_FINDINGS  # MRA101 (error) of the vendor route, at the default threshold
    assert "meshroute: config:" not in err
    code, _, err = run("audit", policies, "--config", str(other))
    # ** below the config file's own directory: the policies lie outside it, so nothing is excluded.
    assert f"meshroute: config: {other}" in err and "excluded" not in err
    assert code == EXIT_FINDINGS  # MRA101
    assert run("audit", policies, "--config", str(tmp_path / "missing.toml"))[0] == EXIT_USAGE
    assert run("audit", policies, "--config", policies)[0] == EXIT_USAGE
    assert run("audit", policies, "--config", str(other), "--no-config")[0] == EXIT_USAGE


def test_unknown_codes_in_the_config_skip_are_warned_about_with_the_file(repo_dir, write):
    path = write(".meshroute.toml", "skip = ['MRA999']\n")
    _, _, err = run("audit", str(repo_dir / "policies"))
    assert f"unknown finding code(s) in skip in {path}, ignored: MRA999" in err


def test_summary_and_report_say_which_config_was_used(repo_dir, write, tmp_path):
    path = write(".meshroute.toml", "exclude = ['policies/vendor/**']\n")
    code, out, _ = run("summary", str(repo_dir / "policies"), "-o", "json")
    assert code == EXIT_OK and json.loads(out)["config"] == str(path)
    assert f"config:    {path}" in run("summary", str(repo_dir / "policies"))[1]
    code, out, _ = run("report", str(repo_dir / "policies"), "-o", str(tmp_path / "report"))
    page = (Path(out.strip()).parent / "index.html").read_text()
    assert html.escape(f"Config: {path}. 1 file excluded (policies/vendor/**).") in page
    code, out, _ = run("report", str(repo_dir / "policies"), "-o", str(tmp_path / "bare"), "--no-config")
    assert "Config: none" in Path(out.strip()).read_text()
    assert json.loads(run("summary", str(repo_dir / "policies"), "-o", "json", "--no-config")[1])["config"] is None


def test_report_takes_skip_and_the_config_threshold(repo_dir, write, tmp_path):
    write(".meshroute.toml", "exclude = ['policies/vendor/**']\nfail-on = 'info'\n")
    policies = str(repo_dir / "policies")
    assert run("report", policies, "-o", str(tmp_path / "a"))[0] == EXIT_FINDINGS
    assert run("report", policies, "-o", str(tmp_path / "b"), "--skip", "MRA901")[0] == EXIT_OK


def test_kuma_version_from_the_config_file_is_what_resolve_and_the_cli_use(write, tmp_path):
    write(".meshroute.toml", 'kuma-version = "2.7"\n')
    write("policies/route.yaml", """
type: Dataplane
name: web
mesh: default
networking:
  address: 10.0.0.1
  inbound: [{port: 80, tags: {kuma.io/service: web}}]
""")
    repo = mra.load_repo(tmp_path / "policies", config=mra.load_config(tmp_path))
    assert mra.resolve(repo).kuma_version == "2.7"
    assert mra.resolve(repo, kuma_version="2.5").kuma_version == "2.5"  # an explicit version wins
