"""The findings frame: one row per distinct finding, in Finding.sort_key order, None kept as None."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from meshroute_analysis.audit.finding import COLUMNS, Finding, findings_frame

_TEXT = st.one_of(st.none(), st.sampled_from(["", "a", "B", "b/c.yaml", "é", "spec.to[0]", "spec.to[10]", "z z"]))
_FINDINGS = st.builds(
    Finding,
    code=st.sampled_from(["MRA101", "MRA303", "MRA401", "MRA902"]),
    message=st.sampled_from(["m", "M", "a message", "é"]),
    file=_TEXT, line=st.one_of(st.none(), st.integers(1, 40)), policy=_TEXT, path=_TEXT, mesh=_TEXT,
    source=_TEXT, destination=_TEXT, policy_type=_TEXT, policy_name=_TEXT,
)


def _plain(value: object) -> object:
    if value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value  # the Int64 column gives numpy integers


@settings(max_examples=200, deadline=None)
@given(st.lists(_FINDINGS, max_size=60))
def test_rows_are_the_distinct_findings_in_sort_key_order(findings: list[Finding]) -> None:
    frame = findings_frame(findings)
    distinct = sorted(set(findings), key=Finding.sort_key)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == len(distinct)
    rows = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False)]
    # Findings whose sort keys tie may come in either order; the keys, row by row, may not.
    keys = [(r[4] or "", r[5] or 0, r[0], r[6] or "", r[8] or "", r[10] or "", r[11] or "", r[2]) for r in rows]
    assert keys == [f.sort_key() for f in distinct]
    assert sorted(rows, key=repr) == sorted((f.row() for f in distinct), key=repr)
    if len(frame):
        assert frame["line"].dtype == "Int64"
        assert all(frame[c].dtype == object for c in COLUMNS if c != "line")
