"""The fast safe loader: its direct walk builds exactly what PyYAML's own constructor builds with the same
scalar rules (go-yaml v2's, :mod:`meshroute_analysis.io.goyaml`), it reads scalars as Kuma does, and it
refuses what PyYAML refuses."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from meshroute_analysis.io.fastyaml import FastSafeLoader, PySafeLoader

# Strings chosen to hit YAML 1.1's implicit resolvers: bools, nulls, ints in every base, floats, dates.
TRICKY = ["yes", "No", "on", "OFF", "~", "null", "", "0x1F", "0o17", "017", "1_000", "1:20", "190:20:30", ".inf",
          "-.Inf", ".nan", "1e3", "6.8523015e+5", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "=", "<<", "*",
          "'quoted'", "a: b", "- x", "kuma.io/service", "MeshService"]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON has neither: refused, tested below
    | st.text(max_size=12)
    | st.sampled_from(TRICKY)
)
data = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8) | st.sampled_from(TRICKY), children, max_size=4),
    max_leaves=25,
)


REFERENCE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the same parser, PyYAML's own constructor


def reference(text: str):
    return yaml.load(text, Loader=REFERENCE)  # noqa: S506 - a safe loader


def fast(text: str):
    return yaml.load(text, Loader=FastSafeLoader)  # noqa: S506 - the loader under test is a safe loader


def constructed(text: str):
    """The same scalar rules through PyYAML's own (pure-Python) constructor."""
    return yaml.load(text, Loader=PySafeLoader)  # noqa: S506 - a safe loader


@settings(max_examples=300, deadline=None)
@given(data, st.booleans())
def test_fast_walk_builds_what_pyyaml_constructor_builds(value, flow):
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert fast(text) == constructed(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(TRICKY), min_size=1, max_size=6))
def test_plain_tricky_scalars_same_on_both_paths(words):
    text = "\n".join(f"k{i}: {w}" for i, w in enumerate(words) if not w.startswith(("'", "*", "- ", "a: ")))
    try:
        expected = constructed(text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            fast(text)
        return
    assert fast(text) == expected


# What go-yaml v2's resolve.go and encoding/json make of plain scalars (sigs.k8s.io/yaml, as Kuma reads YAML).
GO_READINGS = [
    ("1:20", "1:20"),  # no base 60 (PyYAML: 80)
    ("190:20:30", "190:20:30"),
    ("1e3", 1000),  # yamlStyleFloat; JSON writes float64 1000 as 1000 (PyYAML: a string)
    ("90.0", 90),
    ("90.5", 90.5),
    ("6.8523015e+5", 685230.15),
    ("0x1F", 31), ("0o17", 15), ("017", 15), ("08", 8), ("0b11", 3), ("-0b11", -3), ("1_000", 1000), ("+12", 12),
    ("y", True), ("N", False), ("yes", True), ("off", False), ("~", None), ("null", None),
    ("2001-12-14", "2001-12-14"), ("2024-02-30", "2024-02-30"), ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("1" * 4301, "1" * 4301),  # too large for a float64: a string (PyYAML: the int-to-str limit error)
    ("18446744073709551616", 18446744073709552000),  # a float64, written by JSON as its shortest digits
    ("=", "="),
]


@pytest.mark.parametrize(("plain", "expected"), GO_READINGS, ids=[p[:20] for p, _ in GO_READINGS])
def test_plain_scalars_read_as_kuma_reads_them(plain, expected):
    for loader in (fast, constructed):
        value = loader(f"v: {plain}\n")["v"]
        assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!bool maybe\n", "cannot decode !!str `maybe` as a !!bool"),
        ("a: !!float x\n", "cannot decode !!str `x` as a !!float"),
        ("a: !!int ''\n", "cannot decode !!null `` as a !!int"),
        ("a: !!timestamp x\n", "cannot decode !!str `x` as a !!timestamp"),
        ("a: .nan\n", "not a JSON number"),
        ("a: -.inf\n", "not a JSON number"),
    ],
)
def test_tagged_values_that_do_not_fit_are_yaml_errors(text, message):
    for loader in (fast, constructed):
        with pytest.raises(yaml.YAMLError, match=message.replace("!", "\\!").replace("`", ".")):
            loader(text)


def test_keys_are_json_object_keys():
    assert fast("{1: a, true: b, null: c, 1.5: d}\n") == {"1": "a", "true": "b", "null": "c", "1.5": "d"}


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n",  # merge keys
        "s: !!set {a, b}\n",
        "o: !!omap [{a: 1}, {b: 2}]\n",
        "p: !!pairs [{a: 1}, {a: 2}]\n",
        "bin: !!binary aGVsbG8=\n",
        "t: 2001-12-14 21:59:43.10 -5\n",
        "explicit: !!str 123\nnum: !!int '7'\n",
        "= : value-key\n",
        "list: &l [1, 2]\nagain: *l\n",
    ],
)
def test_special_constructs_same_on_both_paths(text):
    assert fast(text) == constructed(text)


def test_aliases_share_one_object_like_pyyaml():
    loaded = fast("a: &x [1, 2]\nb: *x\n")
    assert loaded["a"] is loaded["b"]


def test_recursive_structure_like_pyyaml():
    loaded = fast("&r [1, *r]\n")
    assert loaded[1] is loaded


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['true']\n",
        "x: !!python/name:os.system\n",
        "? [a, b]\n: unhashable\n",
        "x: !custom 1\n",
    ],
)
def test_refuses_what_pyyaml_refuses_with_the_same_message(text):
    with pytest.raises(yaml.YAMLError) as safe:
        reference(text)
    with pytest.raises(yaml.YAMLError) as ours:
        fast(text)
    assert str(ours.value) == str(safe.value)
