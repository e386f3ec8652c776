"""Every scenario under sample_policies/ raises exactly the codes its README promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import meshroute_analysis as mra
from meshroute_analysis.audit import CODES, audit

SAMPLES = Path(__file__).resolve().parents[2] / "sample_policies"
SCENARIOS = ["http-tcp-clash", "trafficroute-migration", "one-defect-per-rule", "clean"]


def _promised(scenario: str) -> set[str]:
    text = (SAMPLES / scenario / "README.md").read_text()
    line = re.search(r"^Codes: (.*)$", text, re.M)
    assert line, f"{scenario}/README.md has no 'Codes:' line"
    return set(re.findall(r"MRA\d{3}", line.group(1)))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_raises_the_codes_its_readme_promises(scenario: str) -> None:
    findings = audit(mra.load_repo(SAMPLES / scenario))
    assert set(findings["code"]) == _promised(scenario)


def test_one_defect_per_rule_fires_every_registered_code() -> None:
    findings = audit(mra.load_repo(SAMPLES / "one-defect-per-rule"))
    assert set(findings["code"]) == set(CODES)


@pytest.mark.parametrize("scenario", ["clean", "kuma-demo"])
def test_clean_repositories_have_no_findings(scenario: str) -> None:
    findings = audit(mra.load_repo(SAMPLES / scenario))
    assert findings.empty, findings[["code", "message"]].to_string()


def test_both_forms_raise_the_same_codes() -> None:
    for scenario in ("http-tcp-clash", "trafficroute-migration"):
        k8s = audit(mra.load_repo(SAMPLES / scenario / "kubernetes"))
        universal = audit(mra.load_repo(SAMPLES / scenario / "universal"))
        assert sorted(k8s["code"]) == sorted(universal["code"])
