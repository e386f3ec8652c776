"""write_csv writes the bytes DataFrame.to_csv writes, on every column type the report's frames have and on
text that needs quoting; columns it cannot format the same way go to to_csv."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meshroute_analysis import csvfile
from meshroute_analysis.csvfile import write_csv

# Text with the characters that decide quoting, line separators csv does not treat as such, and surrogates
# (file names that were not UTF-8).
_TEXT = st.text(alphabet=st.sampled_from(list("ab ,\"\n\r\t'é\u2028\x85") + ["\udcff"]), max_size=6)
_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from([0.1, 1 / 3, 1e-05, 1e16, -0.0])


def _expected(frame: pd.DataFrame, path) -> bytes:
    frame.to_csv(path, index=False, lineterminator="\n", errors="backslashreplace")
    return path.read_bytes()


def _same(frame: pd.DataFrame, tmp_path) -> None:
    write_csv(frame, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == _expected(frame, tmp_path / "pandas.csv")


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(_TEXT, st.integers(-2**63, 2**63 - 1), _FLOAT, st.booleans(), st.none() | _TEXT),
                     max_size=8),
       names=st.lists(_TEXT, min_size=5, max_size=5, unique=True))
def test_same_bytes_as_to_csv(tmp_path_factory, rows, names):
    frame = pd.DataFrame(rows, columns=names) if rows else pd.DataFrame({n: [] for n in names})
    if rows:
        frame = frame.astype({names[0]: "str", names[1]: "int64", names[2]: "float64", names[3]: "bool"})
    _same(frame, tmp_path_factory.mktemp("csv"))


def test_report_like_columns(tmp_path, monkeypatch):
    frame = pd.DataFrame({
        "mesh": pd.array(["default", "a,b", None], dtype="str"),
        "proxies": np.array([20, 1, 0], dtype=np.int64),
        "share": [0.9, float("nan"), 1 / 3],
        "forwards": [True, False, True],
        "reason": ['he said "no"', "line\nbreak", ""],
        "policies": pd.Series(["r1, r2", "", "x"], dtype=object),
    })
    expected = _expected(frame, tmp_path / "pandas.csv")
    monkeypatch.setattr(csvfile, "_pandas", lambda *a: pytest.fail("these columns take the fast path"))
    write_csv(frame, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == expected
    text = (tmp_path / "fast.csv").read_text()
    assert '"a,b"' in text and '"he said ""no"""' in text and "0.3333333333333333" in text


@pytest.mark.parametrize("column", [
    pd.Series([1, None], dtype="Int64"),  # nullable integers
    pd.Series(["x", "y"], dtype="category"),
    pd.Series([(1, 2), "a"], dtype=object),  # objects that are not all text
    pd.to_datetime(pd.Series(["2026-12-02", None])),
])
def test_other_column_types_go_to_pandas(tmp_path, column):
    _same(pd.DataFrame({"a": ["p", "q"], "b": column}), tmp_path)


def test_one_column_and_empty_frame(tmp_path):
    _same(pd.DataFrame({"only": ["", "x"]}), tmp_path)  # a lone empty cell is written as ""
    _same(pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="int64")}), tmp_path)
