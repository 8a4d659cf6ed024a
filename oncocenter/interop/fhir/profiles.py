"""A profile checker built from the mCODE package's StructureDefinitions (no HL7 validator runs
offline here). Pure Python.

For each element of a profile's snapshot it checks, on a resource: cardinality (min/max) of
paths whose parents are present, `fixed[x]` and `pattern[x]` values, required bindings to a
ValueSet whose codes are listed in the package (`compose.include.concept`, or a whole code
system), and that `meta.profile` names the profile. Slices, invariants (FHIRPath) and extension
definitions are not checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    path: str
    message: str


class Package:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.profiles: dict[str, dict[str, Any]] = {}
        self.valuesets: dict[str, dict[str, Any]] = {}
        for f in root.glob("*.json"):
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            if not isinstance(data, dict):
                continue
            if data.get("resourceType") == "StructureDefinition" and "url" in data:
                self.profiles[data["url"]] = data
            elif data.get("resourceType") == "ValueSet" and "url" in data:
                self.valuesets[data["url"]] = data

    def codes(self, vs_url: str, seen: frozenset[str] = frozenset()) -> set[tuple[str, str]] | None:
        """(system, code) pairs of a value set; None when it cannot be enumerated here."""
        vs = self.valuesets.get(vs_url.split("|")[0])
        if vs is None or vs_url in seen:
            return None
        out: set[tuple[str, str]] = set()
        for inc in vs.get("compose", {}).get("include", []):
            if "filter" in inc:
                return None
            if "concept" in inc:
                out.update((inc["system"], c["code"]) for c in inc["concept"])
            elif "system" in inc:
                out.add((inc["system"], "*"))
            for nested in inc.get("valueSet", []):
                sub = self.codes(nested, seen | {vs_url})
                if sub is None:
                    return None
                out |= sub
        return out


def _values(node: Any, parts: list[str]) -> list[Any]:
    """Values at a dotted path below `node` (lists flattened; choice types `value[x]` matched)."""
    current = [node]
    for part in parts:
        nxt: list[Any] = []
        for item in current:
            if not isinstance(item, dict):
                continue
            if part.endswith("[x]"):
                stem = part[:-3]
                keys = [
                    k for k in item if k.startswith(stem) and k[len(stem) : len(stem) + 1].isupper()
                ]
            else:
                keys = [part] if part in item else []
            for k in keys:
                v = item[k]
                nxt.extend(v if isinstance(v, list) else [v])
        current = nxt
    return current


def _matches_pattern(value: Any, pattern: Any) -> bool:
    """FHIR pattern semantics: every element of the pattern is present in the value (lists: each
    pattern item matched by some value item); fixed values are compared the same way here."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(_matches_pattern(value.get(k), pv) for k, pv in pattern.items())
    if isinstance(pattern, list):
        return isinstance(value, list) and all(
            any(_matches_pattern(v, p) for v in value) for p in pattern
        )
    return bool(value == pattern)


def _codings(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict) and "coding" in value:
        return [(c.get("system", ""), c.get("code", "")) for c in value["coding"]]
    if isinstance(value, dict) and "code" in value and "system" in value:
        return [(value["system"], value["code"])]
    return []


def check(resource: dict[str, Any], profile_url: str, package: Package) -> list[Problem]:
    sd = package.profiles.get(profile_url)
    if sd is None:
        return [Problem("meta.profile", f"profile {profile_url} is not in the package")]
    problems: list[Problem] = []
    if profile_url not in resource.get("meta", {}).get("profile", []):
        problems.append(Problem("meta.profile", f"does not name {profile_url}"))
    rtype = resource.get("resourceType")
    if rtype != sd.get("type"):
        return [*problems, Problem("resourceType", f"{rtype} is not a {sd.get('type')}")]
    for el in sd.get("snapshot", {}).get("element", []):
        if ":" in el.get("id", "") or "sliceName" in el:
            continue  # slices are not checked
        parts = el["path"].split(".")[1:]
        if not parts or any(p in ("extension", "modifierExtension") for p in parts[:-1]):
            continue
        if parts[-1] in ("extension", "modifierExtension", "id"):
            continue
        parents = _values(resource, parts[:-1]) if len(parts) > 1 else [resource]
        if not parents:
            continue
        path = ".".join(parts)
        for parent in parents:
            found = _values(parent, parts[-1:])
            if len(found) < el.get("min", 0):
                problems.append(
                    Problem(path, f"has {len(found)} value(s); at least {el['min']} required")
                )
            mx = el.get("max", "*")
            if mx != "*" and len(found) > int(mx):
                problems.append(Problem(path, f"has {len(found)} value(s); at most {mx} allowed"))
            for key, expected in el.items():
                if key.startswith(("fixed", "pattern")):
                    for v in found:
                        if not _matches_pattern(v, expected):
                            problems.append(Problem(path, f"does not match the profile's {key}"))
            binding = el.get("binding", {})
            if binding.get("strength") == "required" and binding.get("valueSet"):
                allowed = package.codes(binding["valueSet"])
                if allowed is None:
                    continue
                for v in found:
                    codings = _codings(v)
                    if not codings:
                        continue
                    ok = any((s, c) in allowed or (s, "*") in allowed for s, c in codings)
                    if not ok:
                        problems.append(
                            Problem(
                                path, f"{codings} not in required value set {binding['valueSet']}"
                            )
                        )
    return problems
