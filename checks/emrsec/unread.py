"""One channel for "the scan could not read this file".

Checkov's parse errors, the files the prescan does not hand to Checkov, the pack's own readers and the
EMR resources Checkov leaves out all report here; `checkov-emr` turns the files among them that name an EMR
resource into CKV_EMRSEC_9 findings after Checkov's runners ran. Under plain Checkov nothing reads the
channel. Paths are absolute; the first reason reported for a file is kept (the earliest reader is the
most specific: the prescan's size limit, the pack's parser error with its line).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable

SYNTAX_FIX = "fix the syntax error; Checkov skips a file it cannot parse, so its EMR resources are never judged"
TERRAFORM_0_11_FIX = ("upgrade the file to Terraform 0.12+ syntax (`terraform 0.12upgrade`): Checkov reads only "
                      "HCL2, so its EMR resources are never judged")
_LINE = re.compile(r"\bline (\d+)")
_TERRAFORM_0_11 = re.compile(r'=\s*"\$\{[^"\n]*\}"\s*$|^\s*"[\w-]+"\s*=', re.M)  # "${var.x}" alone; "key" = value


@dataclass(frozen=True)
class UnreadFile:
    path: str
    why: str  # what went wrong, with the reader's error (its first line)
    fix: str
    unless_judged: bool = False  # not a finding if Checkov judged a resource of the file after all

    @property
    def line(self) -> int:
        """The line the error is on, 1 when unknown (every output needs one)."""
        found = _LINE.search(self.why)
        return int(found.group(1)) if found else 1


_REPORTED: dict[str, UnreadFile] = {}


def report(path: str, why: str, fix: str = SYNTAX_FIX, unless_judged: bool = False) -> None:
    path = os.path.abspath(path)
    first_line = next((line.strip() for line in why.splitlines() if line.strip()), "unknown error")
    _REPORTED.setdefault(path, UnreadFile(path, first_line[:300], fix, unless_judged))


def report_parse_error(path: str, error: str) -> None:
    report(path, f"cannot be parsed: {error}")


def report_terraform_syntax(path: str, error: str, text: str) -> None:
    """A Terraform file HCL2 rejects: said to look like Terraform 0.11 when it has 0.11's quoted attribute names
    or interpolation-only strings, else a syntax error."""
    if _TERRAFORM_0_11.search(text):
        report(path, f"cannot be parsed, it looks like Terraform 0.11 syntax: {error}", TERRAFORM_0_11_FIX)
    else:
        report_parse_error(path, error)


def reported(path: str) -> bool:
    return os.path.abspath(path) in _REPORTED


def take(wanted: Callable[[str], bool]) -> list[UnreadFile]:
    """The files reported so far that `wanted` accepts, each handed out once (Checkov runs its runners once per
    -d folder)."""
    taken = sorted((unread for path, unread in _REPORTED.items() if wanted(path)), key=lambda unread: unread.path)
    for unread in taken:
        del _REPORTED[unread.path]
    return taken
