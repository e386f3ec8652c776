"""``mra.diff`` on the canary-review sample: what a reviewer reads, frame by frame."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import meshroute_analysis as mra
from meshroute_analysis import frames
from meshroute_analysis.resolve import UnknownNameError
from meshroute_analysis.resolve.semantics import KUMA_2_5

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_policies" / "canary-review"


@pytest.fixture(scope="module")
def sides():
    return mra.load_repo(SAMPLE / "before"), mra.load_repo(SAMPLE / "after")


@pytest.fixture(scope="module")
def d(sides):
    return mra.diff(*sides)


def _pair(d, mesh, source, destination):
    rows = d.pairs[(d.pairs["mesh"] == mesh) & (d.pairs["source"] == source) & (d.pairs["destination"] == destination)]
    assert len(rows) == 1, d.pairs[["mesh", "source", "destination"]]
    return rows.iloc[0]


def test_the_canary_moves_from_90_10_to_50_50(d):
    row = _pair(d, "shop", "frontend-01", "backend")
    assert row["change"] == "changed"
    assert (row["route_type_before"], row["route_type_after"]) == ("MeshTCPRoute", "MeshTCPRoute")
    assert row["policies_before"] == row["policies_after"] == ("backend-canary",)
    b = d.backends[(d.backends["mesh"] == "shop") & (d.backends["destination"] == "backend")]
    assert list(b["backend"]) == ["backend{version=v1}", "backend{version=v2}"]
    assert list(b["share_before"]) == [0.9, 0.1]
    assert list(b["share_after"]) == [0.5, 0.5]
    assert list(b["delta"]) == pytest.approx([-40.0, 40.0])
    assert list(b["weight_before"]) == [90, 10] and list(b["weight_after"]) == [50, 50]
    assert "90% → 50% (-40 pp)" in row["what"]


def test_the_new_meshhttproute_takes_over_catalog_and_the_catch_all_takes_reviews(d):
    catalog = _pair(d, "shop", "frontend-01", "catalog")
    assert (catalog["route_type_before"], catalog["route_type_after"]) == ("MeshTCPRoute", "MeshHTTPRoute")
    assert (catalog["policies_before"], catalog["policies_after"]) == (("catalog-pin",), ("catalog-api-v2",))
    assert catalog["protocol_before"] == catalog["protocol_after"] == "http"
    routes = d.backends[(d.backends["mesh"] == "shop") & (d.backends["destination"] == "catalog")]
    assert set(zip(routes["route"], routes["backend"], routes["change"])) == {
        ("PathPrefix /api/v2", "catalog{version=v2}", "added"),
        ("/", "catalog{version=v1}", "added"),
        (None, "catalog{version=v1}", "removed"),
    }
    # Kuma 2.5: once a MeshHTTPRoute applies to a proxy, its other http outbounds get the catch-all.
    reviews = _pair(d, "shop", "frontend-01", "reviews")
    assert (reviews["route_type_before"], reviews["route_type_after"]) == ("TrafficRoute", "MeshHTTPRoute")
    assert reviews["policies_after"] == ()
    # backend is tcp: no catch-all there, and the backends' own outbounds do not change at all.
    assert set(d.pairs.loc[d.pairs["mesh"] == "shop", "destination"]) == {"backend", "catalog", "reviews"}
    assert set(d.pairs["source"]) == {"frontend-01", "frontend.shop"}


def test_pairs_columns_are_the_contract_then_the_helpful_ones(d):
    assert tuple(d.pairs.columns[: len(frames.DIFF_PAIRS)]) == frames.DIFF_PAIRS
    assert tuple(d.backends.columns[: len(frames.DIFF_BACKENDS)]) == frames.DIFF_BACKENDS
    assert tuple(d.findings.columns[: len(frames.DIFF_FINDINGS)]) == frames.DIFF_FINDINGS
    assert tuple(d.policies.columns[: len(frames.DIFF_POLICIES)]) == frames.DIFF_POLICIES
    assert d.pairs["proxies_before"].tolist() == [2] * len(d.pairs)
    assert not d.pairs["regrouped"].any()


def test_policies_added_and_modified_with_the_fields_that_changed(d):
    p = d.policies.set_index(["mesh", "policy"])
    modified = p.loc[("shop", "MeshTCPRoute/backend-canary")]
    assert modified["change"] == "modified"
    assert modified["fields"] == ("spec.to[0].rules[0].default.backendRefs[0].weight",
                                  "spec.to[0].rules[0].default.backendRefs[1].weight")
    added = p.loc[("shop-k8s", "MeshHTTPRoute/catalog-api-v2.kuma-system")]
    assert (added["change"], added["valid_after"], added["file_before"]) == ("added", True, None)
    assert ("shop", "MeshTCPRoute/catalog-pin") not in p.index  # same bytes: not a change


def test_findings_introduced_by_the_change(d, sides):
    assert set(d.findings["state"]) == {"introduced"}  # the before side is clean
    assert sorted(d.introduced["code"]) == ["MRA401", "MRA401", "MRA902", "MRA902"]
    assert d.fixed.empty
    assert set(d.introduced["policy"]) == {"MeshTCPRoute/catalog-pin", "MeshTCPRoute/catalog-pin.kuma-system"}
    # Each finding is the after side's own row, and its key is what SARIF would carry for it.
    from meshroute_analysis.audit import audit
    from meshroute_analysis.audit.sarif import FINGERPRINT_KEY, to_sarif

    after = audit(sides[1])
    sarif = to_sarif(after, root=SAMPLE / "after")
    assert sorted(d.findings["fingerprint"]) == sorted(r["partialFingerprints"][FINGERPRINT_KEY] for r in sarif["runs"][0]["results"])


def test_reversing_the_change_fixes_what_it_introduced(sides):
    back = mra.diff(sides[1], sides[0])
    assert sorted(back.fixed["code"]) == ["MRA401", "MRA401", "MRA902", "MRA902"] and back.introduced.empty
    assert set(back.policies["change"]) == {"removed", "modified"}
    row = _pair(back, "shop", "frontend-01", "catalog")
    assert (row["route_type_before"], row["route_type_after"]) == ("MeshHTTPRoute", "MeshTCPRoute")


def test_explain_names_the_steps_that_differ(d):
    e = d.explain("frontend-01", "catalog", mesh="shop")
    assert e.before.route_type == "MeshTCPRoute" and e.after.route_type == "MeshHTTPRoute"
    steps = [x.step for x in e.differences]
    assert steps[0] == "MeshHTTPRoute selection"
    assert any(s.startswith("Which route type wins") for s in steps)
    assert "catalog-api-v2" in e.difference.after and ": applies: " in e.difference.after and e.difference.before is None
    text = str(e)
    assert "===== BEFORE =====" in text and "===== AFTER =====" in text
    assert "<details>" in e._repr_html_()
    # The mesh is found from the source when it lives in one mesh only.
    assert d.explain("frontend.shop", "backend_shop_svc_3001").mesh == "shop-k8s"


def test_explain_of_an_unchanged_pair_finds_no_difference(d):
    e = d.explain("backend-v1.shop", "catalog_shop_svc_8000", mesh="shop-k8s")
    assert e.differences == () and e.difference is None
    assert "same on both sides" in str(e)
    with pytest.raises(UnknownNameError, match="unknown source 'nobody'"):
        d.explain("nobody", "catalog", mesh="shop")


def test_summary_verdict_and_reprs(d):
    s = d.summary()
    assert s["pairs"] == {"added": 0, "removed": 0, "changed": 7}
    assert s["route_type_changes"] == 5
    assert s["largest_share_move_pp"] == pytest.approx(40.0)
    assert s["findings"]["introduced"] == {"error": 0, "warning": 4, "info": 0}
    assert s["policies"] == {"added": 2, "removed": 0, "modified": 2}
    assert s["kuma_versions"] == {"before": "2.5", "after": "2.5"}
    assert d.verdict.startswith("Traffic changes for 7 pairs (7 changed): 5 change route type, shares move by up to 40 pp")
    text = repr(d)
    assert "(Kuma 2.5)" in text and "frontend-01 → backend" in text and "introduced warning MRA401" in text
    page = d._repr_html_()
    assert "<table" in page and "frontend-01" in page and "Kuma 2.5" in page


def test_a_repository_against_itself_is_an_empty_diff_with_declared_columns(sides):
    same = mra.diff(sides[0], sides[0])
    assert same.is_empty
    assert same.compared_meshes == ()  # same inputs: nothing was resolved at all
    for frame, columns in ((same.pairs, frames.DIFF_PAIRS), (same.backends, frames.DIFF_BACKENDS),
                           (same.policies, frames.DIFF_POLICIES), (same.findings, frames.DIFF_FINDINGS)):
        assert frame.empty and tuple(frame.columns[: len(columns)]) == columns
    assert same.verdict.startswith("No (source, destination) pair changes")


def test_resolutions_are_compared_as_given(sides):
    before, after = (mra.resolve(s) for s in sides)
    d = mra.diff(before, after)
    assert d.before is before and d.after is after
    assert len(d.pairs) == 7
    mixed = mra.diff(sides[0], after)  # a repository side is resolved like the Resolution
    key = list(frames.DIFF_PAIRS[:4])
    assert mixed.pairs[key].equals(d.pairs[key])


def test_one_repository_under_two_kuma_versions(sides):
    repo = sides[1]
    same = mra.diff(mra.resolve(repo, kuma_version="2.5"), mra.resolve(repo, kuma_version="2.5.11"))
    assert same.pairs.empty and same.kuma_versions == ("2.5", "2.5.11")
    # A later version that accepts what 2.5 refuses: MeshHTTPRoute splits over tcp backends.  Only "2.5"
    # is modelled, so the test makes one up; the diff must say which version each side used.
    later = dataclasses.replace(KUMA_2_5, version="2.x-test", http_split_protocols=KUMA_2_5.http_split_protocols | {"tcp"})
    d = mra.diff(mra.resolve(repo), mra.resolve(repo, kuma_version=later))
    assert d.kuma_versions == ("2.5", "2.x-test")
    assert "(Kuma 2.5 → 2.x-test)" in repr(d) and "Kuma 2.5 → 2.x-test" in d.verdict
    assert d.pairs.attrs["kuma_versions"] == ("2.5", "2.x-test")


def test_a_control_plane_upgrade_from_2_5_to_2_7_on_the_upgrade_sample():
    repo = mra.load_repo(Path(__file__).resolve().parents[2] / "sample_policies" / "upgrade-2.5-to-2.7")
    d = mra.diff(mra.resolve(repo, kuma_version="2.5"), mra.resolve(repo, kuma_version="2.7"))
    assert d.kuma_versions == ("2.5", "2.7")
    pairs = d.pairs.set_index("destination")
    # The name-order flip: canary-b wins on 2.5, canary-a on 2.7.
    backend = d.backends[d.backends["destination"] == "backend"].set_index("backend")
    assert backend.loc["backend{version=v2}", "share_before"] == 0.0 and backend.loc["backend{version=v2}", "share_after"] == 0.1
    # The kafka split that 2.5 empties forwards on 2.7; the gateway listener appears.
    assert (pairs.loc["events", "forwards_before"], pairs.loc["events", "forwards_after"]) == (False, True)
    assert pairs.loc["edge:TCP:9000", "change"] == "added"
    # Findings that only hold on 2.5 are fixed by the upgrade.
    fixed = set(d.findings[d.findings["state"] == "fixed"]["code"])
    assert {"MRA303", "MRA501", "MRA505"} <= fixed


def test_backends_of_changed_pairs_only_and_frames_keep_none_not_nan(d):
    keys = set(zip(d.pairs["mesh"], d.pairs["source"], d.pairs["destination"]))
    assert set(zip(d.backends["mesh"], d.backends["source"], d.backends["destination"])) == keys
    assert d.backends["share_before"].between(0, 1).all() and d.backends["share_after"].between(0, 1).all()
    assert d.pairs["reason_before"].map(lambda v: isinstance(v, str)).all()
    assert not d.backends["route"].map(lambda v: isinstance(v, float)).any()
    assert isinstance(d.pairs, pd.DataFrame)


def test_the_sample_raises_the_codes_its_readme_promises(sides):
    import re

    from meshroute_analysis.audit import audit

    line = re.search(r"^Codes: before: (.*); after: (.*)$", (SAMPLE / "README.md").read_text(), re.M)
    assert line
    promised = [set(re.findall(r"MRA\d{3}", part)) for part in line.groups()]
    assert [set(audit(s)["code"]) for s in sides] == promised


def test_a_control_plane_upgrade_from_2_7_to_2_13_on_the_upgrade_sample():
    repo = mra.load_repo(Path(__file__).resolve().parents[2] / "sample_policies" / "upgrade-2.7-to-2.13")
    d = mra.diff(mra.resolve(repo, kuma_version="2.7"), mra.resolve(repo, kuma_version="2.13"))
    pairs = d.pairs.set_index(["source", "destination"])
    # A kafka backend empties the whole 2.7 HTTP split; 2.13 drops it alone.
    assert (pairs.loc[("web-1", "backend"), "forwards_before"], pairs.loc[("web-1", "backend"), "forwards_after"]) == (False, True)
    shares = d.backends[(d.backends["source"] == "web-1") & (d.backends["route"] == "/")].set_index("backend")["share_after"]
    assert shares.to_dict() == {"backend{version=v1}": 0.8, "backend{version=v2}": 0.2, "events": 0.0}
    # A transparent proxy's listed outbound is gone from 2.9.
    assert pairs.loc[("web-0", "legacy-batch"), "change"] == "removed"
    # kind: Dataplane (2.10+) selects only the canary proxy.
    assert "canary-only" in pairs.loc[("web-0", "backend"), "policies_after"]
    assert "canary-only" not in pairs.loc[("web-1", "backend"), "policies_after"]
    assert {"MRA101", "MRA304", "MRA505"} <= set(d.findings[d.findings["state"] == "fixed"]["code"])
