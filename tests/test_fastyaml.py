"""The fast safe loader gives exactly what PyYAML's safe loader gives, and refuses what it refuses."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from meshroute_analysis.io.fastyaml import FastSafeLoader

# Strings chosen to hit YAML 1.1's implicit resolvers: bools, nulls, ints in every base, floats, dates.
TRICKY = ["yes", "No", "on", "OFF", "~", "null", "", "0x1F", "0o17", "017", "1_000", "1:20", "190:20:30", ".inf",
          "-.Inf", ".nan", "1e3", "6.8523015e+5", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "=", "<<", "*",
          "'quoted'", "a: b", "- x", "kuma.io/service", "MeshService"]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
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


@settings(max_examples=300, deadline=None)
@given(data, st.booleans())
def test_same_result_as_safe_load(value, flow):
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert fast(text) == yaml.safe_load(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(TRICKY), min_size=1, max_size=6))
def test_plain_tricky_scalars_resolve_like_pyyaml(words):
    text = "\n".join(f"k{i}: {w}" for i, w in enumerate(words) if not w.startswith(("'", "*", "- ", "a: ")))
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            fast(text)
        return
    assert fast(text) == expected


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
def test_special_constructs_match_pyyaml(text):
    assert fast(text) == yaml.safe_load(text)


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
