"""The istio-analyzers contract: every rule registered, documented and covered by a case."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from meshroute_analysis.audit import CODES, RULES, SEVERITIES, codes_markdown
from meshroute_analysis.audit.docs import codes_table

# The package exports the function ``audit``, which shadows the subpackage as an attribute; import by name.
rules_pkg = importlib.import_module("meshroute_analysis.audit.rules")

ROOT = Path(__file__).resolve().parents[2]


def test_codes_are_well_formed_ordered_and_grouped() -> None:
    codes = list(CODES)
    assert codes == sorted(codes)
    for c in CODES.values():
        assert re.fullmatch(r"MRA\d{3}", c.code)
        assert c.severity in SEVERITIES
        assert c.title and c.description and c.group
        assert c.help_path.endswith(f"#{c.code.lower()}")


def test_every_code_has_exactly_one_rule_and_every_rule_a_code() -> None:
    registered = [r.code.code for r in RULES]
    assert len(registered) == len(set(registered))
    assert set(registered) == {c for c, code in CODES.items() if not code.retired}
    assert registered == sorted(registered)


def test_every_rule_module_is_registered() -> None:
    modules = {f"{rules_pkg.__name__}.{m.name}" for m in pkgutil.iter_modules(rules_pkg.__path__) if not m.name.startswith("_")}
    assert modules == {r.module for r in RULES}
    for name in modules:
        module = importlib.import_module(name)
        assert module.__doc__, f"{name} has no docstring saying which Kuma behaviour it encodes"
        assert name.rsplit(".", 1)[1].startswith(module.CODE.lower())


def test_docs_page_is_generated_from_the_table() -> None:
    page = (ROOT / "docs" / "findings.md").read_text()
    assert page == codes_markdown(), "regenerate: python -m meshroute_analysis.audit.docs > docs/findings.md"
    for code in CODES:
        assert f"### {code}\n" in page
        assert f"](#{code.lower()})" in page


def test_readme_carries_the_code_table() -> None:
    readme = (ROOT / "README.md").read_text()
    assert codes_table("docs/findings.md") in readme, "README's finding-code table is out of date with the registry"
