"""The pre-commit hook and the example workflow name commands that exist (they are not run here)."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from meshroute_analysis.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_pre_commit_hook_runs_an_audit_the_cli_accepts() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "meshroute-audit" and hook["language"] == "python" and hook["pass_filenames"] is False
    argv = shlex.split(hook["entry"])[1:] + hook["args"]
    assert build_parser().parse_args(argv).command == "audit"


def test_example_workflow_runs_commands_the_cli_accepts() -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "examples" / "meshroute-pull-request.yml").read_text())
    steps = workflow["jobs"]["review"]["steps"]
    commands = [line.strip() for s in steps for line in s.get("run", "").replace("\\\n", " ").splitlines()
                if line.strip().startswith("meshroute ")]
    assert {c.split()[1] for c in commands} == {"diff", "report", "audit"}
    for command in commands:
        words = shlex.split(command.split(" >")[0].split(" ||")[0].replace("${{ github.base_ref }}", "main"))
        args = build_parser().parse_args(words[1:])
        assert args.base == "origin/main"
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    assert workflow["permissions"]["pull-requests"] == "write"
