"""Clusters whose security configuration the pack could not decide (CKV_EMRSEC_8 UNKNOWN).

Checkov drops UNKNOWN results from every output, and unlike checks 1-6 (CKV_EMRSEC_7 fails for them) check 8
has no companion: `checkov-emr` names these clusters as warnings (stderr, JSON, SARIF) so that a cluster
whose configuration may be empty is never silent. Checkov may run the checks in forked processes, so each
note is appended to the file `checkov-emr` names in UNDECIDED_ENV; under plain Checkov nothing is kept.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

UNDECIDED_ENV = "CHECKOV_EMR_UNDECIDED"


@dataclass(frozen=True)
class Notice:
    """A warning about a place in a file (not a finding): what `checkov-emr` prints and puts in its outputs."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        shown = os.path.relpath(self.path) if os.path.isabs(self.path) else self.path
        return f"{self.path if shown.startswith('..') else shown}:{self.line}: {self.text}"


def note(path: str, line: int, resource: str, reason: str) -> None:
    target = os.environ.get(UNDECIDED_ENV)
    if not target:
        return
    text = (f"{resource}: CKV_EMRSEC_8 cannot be decided, its {reason}; set it to a value the scan can resolve "
            "(a configuration's name or reference, a variable with a default)")
    try:
        with open(target, "a", encoding="utf-8") as handle:  # one short line per append: atomic across processes
            handle.write(json.dumps([os.path.abspath(path), line, text]) + "\n")
    except OSError:
        pass  # the verdict stays UNKNOWN; only the warning is lost


def noted() -> list[Notice]:
    """Every cluster noted so far, once each, in the order noted."""
    target = os.environ.get(UNDECIDED_ENV)
    try:
        with open(target or "", encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    return list(dict.fromkeys(Notice(*json.loads(line)) for line in lines if line.strip()))
