"""SARIF 2.1.0 that GitHub code scanning accepts: the OASIS schema plus GitHub's own requirements."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import meshroute_analysis as mra
from meshroute_analysis.audit import CODES, audit, to_sarif

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(scope="module")
def sarif(request) -> dict:
    monkey = pytest.MonkeyPatch()
    monkey.chdir(ROOT)
    try:
        findings = audit(mra.load_repo("sample_policies/one-defect-per-rule"))
        return json.loads(json.dumps(to_sarif(findings, tool_version="0.1.0")))
    finally:
        monkey.undo()


def test_valid_against_the_sarif_2_1_0_schema(sarif: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)


def test_github_requirements(sarif: dict) -> None:
    assert sarif["version"] == "2.1.0" and sarif["$schema"].startswith("https://")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "meshroute" and driver["version"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(CODES)
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        # No home for the docs was given: no invented URL, the help text names the page and anchor.
        assert "helpUri" not in rule and "informationUri" not in driver
        assert f"docs/findings.md#{rule['id'].lower()}" in rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        (fingerprint,) = result["partialFingerprints"].values()
        assert isinstance(fingerprint, str) and len(fingerprint) == 32
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"].startswith("sample_policies/one-defect-per-rule/"), artifact["uri"]
        assert (ROOT / artifact["uri"]).is_file()
        assert location["physicalLocation"]["region"]["startLine"] >= 1


def test_fingerprints_are_stable_and_distinct(sarif: dict) -> None:
    again = to_sarif(audit(mra.load_repo(ROOT / "sample_policies" / "one-defect-per-rule")), root=ROOT)
    first = [r["partialFingerprints"] for r in sarif["runs"][0]["results"]]
    assert first == [r["partialFingerprints"] for r in again["runs"][0]["results"]]
    values = [next(iter(f.values())) for f in first]
    assert len(values) == len(set(values))


def test_sarif_root_makes_uris_relative_to_it(tmp_path) -> None:
    findings = audit(mra.load_repo(ROOT / "sample_policies" / "one-defect-per-rule"))
    doc = to_sarif(findings, root=ROOT / "sample_policies")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert all(u.startswith("one-defect-per-rule/") for u in uris)


def test_help_base_url_gives_absolute_help_uris() -> None:
    findings = audit(mra.load_repo(ROOT / "sample_policies" / "one-defect-per-rule"))
    doc = to_sarif(findings, root=ROOT, help_base_url="https://example.org/repo/blob/main/")
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(json.dumps(doc)))
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/repo/blob/main/"
    assert driver["rules"][0]["helpUri"] == f"https://example.org/repo/blob/main/docs/findings.md#{driver['rules'][0]['id'].lower()}"
