"""Every scenario under sample_policies/ raises exactly the codes its README promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import meshroute_analysis as mra
from meshroute_analysis.audit import CODES, audit

SAMPLES = Path(__file__).resolve().parents[2] / "sample_policies"
SCENARIOS = ["http-tcp-clash", "trafficroute-migration", "one-defect-per-rule", "clean", "mesh-services-2.14"]
#: Where each code has its defect: 2.5 behaviour in one-defect-per-rule, the 2.9+ resource engine in
#: mesh-services-2.14 (audited as 2.14 by its .meshroute.toml).
DEFECT_SAMPLES = ["one-defect-per-rule", "mesh-services-2.14"]


def _load(scenario: str) -> mra.PolicyRepo:
    """As the CLI loads it: with the sample's .meshroute.toml, which may set the Kuma version."""
    folder = SAMPLES / scenario
    return mra.load_repo(folder, config=mra.load_config(folder))


def _promised(scenario: str) -> set[str]:
    text = (SAMPLES / scenario / "README.md").read_text()
    line = re.search(r"^Codes: (.*)$", text, re.M)
    assert line, f"{scenario}/README.md has no 'Codes:' line"
    return set(re.findall(r"MRA\d{3}", line.group(1)))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_raises_the_codes_its_readme_promises(scenario: str) -> None:
    findings = audit(_load(scenario))
    assert set(findings["code"]) == _promised(scenario)


def test_the_defect_samples_fire_every_registered_code() -> None:
    fired = set().union(*(set(audit(_load(name))["code"]) for name in DEFECT_SAMPLES))
    assert fired == set(CODES)


@pytest.mark.parametrize("scenario", ["clean", "kuma-demo"])
def test_clean_repositories_have_no_findings(scenario: str) -> None:
    findings = audit(mra.load_repo(SAMPLES / scenario))
    assert findings.empty, findings[["code", "message"]].to_string()


def test_both_forms_raise_the_same_codes() -> None:
    for scenario in ("http-tcp-clash", "trafficroute-migration"):
        k8s = audit(mra.load_repo(SAMPLES / scenario / "kubernetes"))
        universal = audit(mra.load_repo(SAMPLES / scenario / "universal"))
        assert sorted(k8s["code"]) == sorted(universal["code"])
