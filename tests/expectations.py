"""Reads the verdicts fixtures state about themselves (see tests/fixtures/README.md)."""
from __future__ import annotations

import os
import re
from typing import Iterator

ANNOTATION = re.compile(r"expect\s+(?P<resource>\S+)\s+=>\s+(?P<spec>(?:[A-Z]+:[\d,\-]+\s*)+)")
RESULTS = ("PASSED", "FAILED", "SKIPPED", "UNKNOWN")
SKIPPED_DIRS = {"node_modules", ".terraform", "app"}
Finding = tuple[str, str, str]  # (resource, check id, result)
# Cross-resource checks added after most fixtures were written: a unit that states none of one is compared
# without it (units written for them state them for every resource of their kind).
LATER_CHECKS = frozenset({"CKV_EMRSEC_10", "CKV_EMRSEC_11"})


def _numbers(text: str) -> Iterator[int]:
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        yield from range(int(low), int(high or low) + 1)


def parse(text: str) -> Iterator[Finding]:
    for match in ANNOTATION.finditer(text):
        resource = match.group("resource").replace('\\"', '"').rstrip('",')
        for item in match.group("spec").split():
            result, _, numbers = item.partition(":")
            if result not in RESULTS:
                raise ValueError(f"unknown result {result!r} in {match.group(0)!r}")
            for number in _numbers(numbers):
                yield resource, f"CKV_EMRSEC_{number}", result


SCOPED = re.compile(r"from (?P<scan>\S+): (?P<annotation>expect .*)")


def scoped(text: str) -> Iterator[tuple[str, Finding]]:
    """`from <folder or file>: expect ...`: what a scan of that folder (-d) or file (-f) reports."""
    for match in SCOPED.finditer(text):
        for finding in parse(match.group("annotation")):
            yield match.group("scan"), finding


def units(form_dir: str) -> list[str]:
    return sorted(name for name in os.listdir(form_dir) if name not in SKIPPED_DIRS and not name.startswith("."))


def expected(form_dir: str, unit: str) -> set[Finding]:
    """Every annotation in the unit's files; a (resource, check) stated twice must agree."""
    root = os.path.join(form_dir, unit)
    paths = [root] if os.path.isfile(root) else [
        os.path.join(folder, name) for folder, dirs, names in os.walk(root)
        for name in names if not dirs.__setitem__(slice(None), [d for d in dirs if d not in SKIPPED_DIRS])]
    findings: set[Finding] = set()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            findings.update(parse(handle.read()))
    verdicts: dict[tuple[str, str], str] = {}
    for resource, check, result in findings:
        if verdicts.setdefault((resource, check), result) != result:
            raise ValueError(f"{unit}: {resource} {check} is annotated both {result} and {verdicts[(resource, check)]}")
    return findings


def comparable(actual: set[Finding], expected: set[Finding]) -> set[Finding]:
    """The reported findings a unit's annotations are compared with: all but those of a later check it never states."""
    stated = {check for _, check, _ in expected}
    return {finding for finding in actual if finding[1] in stated or finding[1] not in LATER_CHECKS}
