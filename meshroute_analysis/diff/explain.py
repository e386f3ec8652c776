"""``d.explain(source, destination)``: both sides' explanations and the first step where they part.

The explanations are the resolver's own (:meth:`Resolution.explain`); this only compares them, step by
step in the order the decision is made, with the ``file:line`` of each policy left out (a policy that
moved is the same policy).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..resolve import Explanation

__all__ = ["DiffExplanation", "Difference", "differences"]

#: "name (policies/a.yaml:12): ..." - where a policy was read, which a move changes and nothing else.
_LOCATION = re.compile(r" \((?:[^()\s]+):\d+\)")
#: The source's size and members, the version and the other meshes: inputs of the decision, not steps of it.
_GROUP = re.compile(r"^group (.+?): \d+ prox(?:y|ies) \(.*\)$")
_VERSION = re.compile(r"^Kuma semantics [^;]+;.*$")


#: A line about one policy: "name (where): ...".  It takes part in the decision when the policy applies
#: (selection) or is a TrafficRoute candidate; otherwise it only says why the policy stays out.
_POLICY_LINE = re.compile(r"^(?P<name>[^\s(]+) \(")
_TAKES_PART = (": applies: ", ": selected, ", ": candidate, ")
#: What a section says when it has no policy at all: as empty as a section of bystanders only.
_NOTHING = re.compile(r"^no (?:\S+ in mesh \S+|TrafficRoute in this mesh)$")


def _plain(line: str) -> str:
    line = _GROUP.sub(r"group \1", _LOCATION.sub("", line))
    return _VERSION.sub("Kuma semantics", line)


def _policy_of(line: str) -> str | None:
    found = _POLICY_LINE.match(line)
    return found.group("name") if found else None


def _bystanders(lines: list[str], other: list[str]) -> set[int]:
    """Lines of policies that only this side has and that stay out of the decision: a new policy that
    does not apply to this source does not change its decision."""
    names = {_policy_of(x) for x in other}
    return {i for i, x in enumerate(lines)
            if _NOTHING.match(x)
            or ((name := _policy_of(x)) is not None and name not in names and not any(t in x for t in _TAKES_PART))}


@dataclass(frozen=True)
class Difference:
    step: str  # the section title of the explanation, e.g. "Which route type wins ..."
    before: str | None  # the first line that differs, on each side (None: the side has fewer lines)
    after: str | None


def differences(before: Explanation | None, after: Explanation | None) -> tuple[Difference, ...]:
    """Every step where two explanations differ (ignoring policy locations), in decision order, each with
    its first differing line."""
    if before is None and after is None:
        return ()
    if before is None or after is None:
        return (Difference("Source and destination", "the pair exists" if before else None, "the pair exists" if after else None),)
    found = []
    for (_, raw_b), (title_a, raw_a) in zip(before.sections, after.sections):
        out_b, out_a = _bystanders(list(raw_b), list(raw_a)), _bystanders(list(raw_a), list(raw_b))
        lines_b = [x for i, x in enumerate(raw_b) if i not in out_b]
        lines_a = [x for i, x in enumerate(raw_a) if i not in out_a]
        plain_b, plain_a = [_plain(x) for x in lines_b], [_plain(x) for x in lines_a]
        if plain_b == plain_a:
            continue
        for i in range(max(len(plain_b), len(plain_a))):
            line_b = plain_b[i] if i < len(plain_b) else None
            line_a = plain_a[i] if i < len(plain_a) else None
            if line_b != line_a:
                found.append(Difference(title_a, lines_b[i] if line_b is not None else None, lines_a[i] if line_a is not None else None))
                break
    return tuple(found)


@dataclass(frozen=True)
class DiffExplanation:
    """Why a pair's outcome is what it is before and after: ``differences`` lists every step of the
    decision that reads differently (empty when none does), ``difference`` is the first of them."""

    mesh: str
    source: str
    destination: str
    before: Explanation | None
    after: Explanation | None
    differences: tuple[Difference, ...]
    kuma_versions: tuple[str, str] = ("2.5", "2.5")

    @property
    def difference(self) -> Difference | None:
        return self.differences[0] if self.differences else None

    def _headline(self) -> str:
        if self.difference is None:
            return "The decision is the same on both sides."
        if self.before is None or self.after is None:
            return f"The pair exists only {'after' if self.before is None else 'before'} the change."
        steps = len(self.differences)
        return f"First difference, at step: {self.differences[0].step}" + (f" ({steps} steps differ)" if steps > 1 else "")

    def __str__(self) -> str:
        versions = "" if self.kuma_versions[0] == self.kuma_versions[1] else f" (Kuma {self.kuma_versions[0]} → {self.kuma_versions[1]})"
        out = [f"{self.source} → {self.destination} (mesh {self.mesh}){versions}", self._headline()]
        if self.before is not None and self.after is not None:
            for d in self.differences:
                out += [f"- {d.step}", f"    before: {d.before or '(nothing)'}", f"    after:  {d.after or '(nothing)'}"]
        for side, explanation in (("BEFORE", self.before), ("AFTER", self.after)):
            out += ["", f"===== {side} =====", str(explanation) if explanation is not None else "(no such pair)"]
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"<DiffExplanation {self.mesh}/{self.source} → {self.destination}: {self._headline()}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        parts = [f"<div class='mra-diff-explain'><h4>{esc(self.source)} → {esc(self.destination)} "
                 f"<small>(mesh {esc(self.mesh)})</small></h4><p>{esc(self._headline())}</p>"]
        if self.differences and self.before is not None and self.after is not None:
            rows = "".join(f"<tr><td>{esc(d.step)}</td><td>{esc(d.before or '')}</td><td>{esc(d.after or '')}</td></tr>"
                           for d in self.differences)
            parts.append(f"<table><tr><th>step</th><th>before</th><th>after</th></tr>{rows}</table>")
        for side, explanation in (("before", self.before), ("after", self.after)):
            body = explanation._repr_html_() if explanation is not None else "<p>(no such pair)</p>"
            parts.append(f"<details><summary>{side}</summary>{body}</details>")
        return "".join(parts) + "</div>"
