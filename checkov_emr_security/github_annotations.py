"""`checkov-emr --github-annotations results.sarif`: the SARIF findings as GitHub Actions annotations.

GitHub shows `::error file=…,line=…::message` lines printed by a workflow step on the pull request's
changed lines, with no code-scanning set-up needed. Suppressed results are left out. Does not import Checkov.
"""
from __future__ import annotations

import json
import sys
from typing import Any, Iterator
from urllib.parse import unquote

FLAG = "--github-annotations"
_COMMANDS = {"error": "error", "warning": "warning", "note": "notice", "none": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(item: dict[str, Any], title: str) -> str:
    """A SARIF result or notification as one workflow command."""
    command = _COMMANDS.get(item.get("level", "warning"), "warning")
    location = (item.get("locations") or [{}])[0].get("physicalLocation", {})
    uri = unquote(location.get("artifactLocation", {}).get("uri", ""))
    region = location.get("region", {})
    fields = [f"file={_property(uri)}"] if uri else []
    if region.get("startLine"):
        fields.append(f"line={int(region['startLine'])}")
    if region.get("endLine"):
        fields.append(f"endLine={int(region['endLine'])}")
    fields.append(f"title={_property(title)}")
    return f"::{command} {','.join(fields)}::{_data(item.get('message', {}).get('text', ''))}"


def annotations(document: dict[str, Any]) -> Iterator[str]:
    """The findings, then the warnings checkov-emr wrote as tool execution notifications."""
    for run in document.get("runs", []):
        for result in run.get("results", []):
            if not result.get("suppressions"):
                yield _annotation(result, str(result.get("ruleId", "checkov-emr")))
        for invocation in run.get("invocations", []):
            for notification in invocation.get("toolExecutionNotifications", []):
                yield _annotation(notification, "checkov-emr")


def main(paths: list[str]) -> int:
    if not paths:
        print(f"checkov-emr: {FLAG} takes the SARIF file Checkov wrote", file=sys.stderr)
        return 2
    try:
        with open(paths[0], encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        print(f"checkov-emr: cannot read {paths[0]}: {error}", file=sys.stderr)
        return 2
    for line in annotations(document):
        print(line)
    return 0
