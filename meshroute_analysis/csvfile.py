"""CSV files of large frames, byte for byte what ``DataFrame.to_csv`` writes, in a third of its time.

A full-size report writes 1.5 million routes and 2 million backends; ``to_csv`` spent about 14 s of a
60 s report formatting them cell by cell.  :func:`write_csv` turns each column into text at once (numpy
for numbers and booleans) and joins the rows.  The output is the same bytes as
``frame.to_csv(path, index=False, lineterminator="\\n", errors="backslashreplace")``:

- a cell is quoted exactly when Python's ``csv`` module quotes it (QUOTE_MINIMAL): the few cells that
  hold a comma, a quote or a line break are handed to a ``csv.writer``, so its rule is the rule;
- numbers are numpy's shortest repr, as pandas writes them; missing values are empty;
- a column this module does not know how to format fast (categories, dates, nullable integers, objects
  that are not all text) makes the whole frame go to ``to_csv``, so an answer never depends on the path.

``tests/test_csvfile.py`` compares both on generated frames.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["write_csv"]

# Characters that may make the csv module quote a cell; a cell without any of them is written as it is.
_MAY_QUOTE = (",", '"', "\n", "\r")


class _Unsupported(Exception):
    """A column of a type whose text this module does not reproduce: the frame goes to ``to_csv``."""


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` (no index) to ``path`` as ``to_csv`` with ``lineterminator="\\n"`` would."""
    if len(frame.columns) < 2 or not frame.columns.is_unique:
        # One column: csv writes an empty cell as "" when it is the whole row; not worth a rule of our own.
        _pandas(frame, path)
        return
    try:
        columns = [_quoted(_text(frame.iloc[:, i])) for i in range(len(frame.columns))]
    except _Unsupported:
        _pandas(frame, path)
        return
    header = _quoted([str(c) for c in frame.columns])
    with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="") as out:
        out.write(",".join(header) + "\n")
        out.writelines(",".join(row) + "\n" for row in zip(*columns))


def _pandas(frame: pd.DataFrame, path: str | Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", errors="backslashreplace")


def _text(column: pd.Series) -> list[str]:
    """The cells of ``column`` as pandas writes them (before quoting)."""
    dtype = column.dtype
    if dtype == bool:
        return np.where(column.to_numpy(), "True", "False").tolist()
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return column.to_numpy().astype(str).tolist()
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = column.to_numpy()
        text = values.astype(str).astype(object)
        text[np.isnan(values)] = ""
        return text.tolist()
    if isinstance(dtype, pd.StringDtype) or dtype == object:
        values = column.to_numpy(dtype=object, na_value="")
        # Only text (and missing values, now ""): anything else is formatted by pandas its own way.
        if pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty"):
            return values.tolist()
    raise _Unsupported(str(dtype))


def _quoted(cells: list[str]) -> list[str]:
    """``cells`` with each one that may need quoting written by the csv module itself."""
    joined = "\0".join(cells)  # one scan per character in C: most columns have no cell to quote
    if not any(ch in joined for ch in _MAY_QUOTE):
        return cells
    return [_csv_cell(c) if ("," in c or '"' in c or "\n" in c or "\r" in c) else c for c in cells]


def _csv_cell(cell: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([cell])
    return buffer.getvalue()[:-1]
