"""What `checkov-emr` changes in Checkov's outputs, for the tools that read them.

- SARIF: Checkov puts a check's details into `attachments` as plain strings, which the SARIF 2.1.0 schema
  rejects (an attachment needs an `artifactLocation`, its `description` is a message object), and GitHub
  code scanning would not show them. The details move into the result's message instead. The pack's rules
  get what code scanning shows: what passes, the fix, the check's page, the Security Hub control as tags,
  and the level its severity gives results (Checkov declares every rule `error`, its results `warning`/`note`).
- JUnit XML: a failure's text gets the details (the JSON path that is wrong and the fix), which Checkov
  leaves out, so they show in GitLab merge requests.
- Warnings (EMR resources the scan knows exist but cannot judge, `unseen`): SARIF carries them as the run's
  tool execution notifications, JSON as `checkov_emr_warnings` in each report's summary (also in the summary
  Checkov prints when no report has results).
- Progress: Checkov draws progress bars when its standard output is a terminal; they stay off in CI
  (the `CI` environment variable set, as every CI service does), where a terminal may be emulated.
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

SECURITY_HUB_TAG = "security-hub:{control}"


def sarif_level(severity: str) -> str:
    """The level Checkov gives a result of this severity, so a rule's default agrees with its results."""
    from checkov.common.output.sarif import SEVERITY_TO_SARIF_LEVEL

    return SEVERITY_TO_SARIF_LEVEL.get(severity.lower(), "warning")


def _catalog() -> dict[str, Any]:
    from emrsec.catalog import BY_ID

    return dict(BY_ID)


def enrich_rule(rule: dict[str, Any], catalog: dict[str, Any]) -> None:
    spec = catalog.get(rule.get("id"))
    if spec is None:
        return
    rule["name"] = spec.name
    rule["shortDescription"] = {"text": spec.name}
    rule["fullDescription"] = {"text": spec.passes_when}
    rule["help"] = {
        "text": f"Passes when: {spec.passes_when}\nFix: {spec.fix}\n{spec.guideline}",
        "markdown": f"**Passes when:** {spec.passes_when}\n\n**Fix:** {spec.fix}\n\n[{spec.id}]({spec.guideline})",
    }
    rule["helpUri"] = spec.guideline
    rule["defaultConfiguration"] = {"level": sarif_level(spec.severity)}
    properties = rule.setdefault("properties", {})
    tags = ["security", "encryption"]
    if spec.control:
        tags.append(SECURITY_HUB_TAG.format(control=spec.control))
    properties["tags"] = tags


def _attachment_text(attachment: Any) -> str:
    description = attachment.get("description") if isinstance(attachment, dict) else None
    if isinstance(description, dict):
        return str(description.get("text", ""))
    return "" if description is None else str(description)


def fix_result(result: dict[str, Any]) -> None:
    """Moves details Checkov wrote as invalid attachments into the message."""
    attachments = result.get("attachments")
    if attachments is None:
        return
    if all(isinstance(a, dict) and "artifactLocation" in a and isinstance(a.get("description", {}), dict)
           for a in attachments):
        return
    details = [text for text in map(_attachment_text, attachments) if text]
    del result["attachments"]
    if details:
        message = result.setdefault("message", {})
        message["text"] = "\n".join([message.get("text", ""), *details]).strip()


def _warnings() -> list[Any]:
    from checkov_emr_security import unseen
    from emrsec import undecided

    return [*unseen.warnings(), *undecided.noted()]


def notification(warning: Any) -> dict[str, Any]:
    """A warning as a SARIF notification, located in the file it is about (its URI made as Checkov makes a
    result's: relative to the current folder, without `..` parts)."""
    uri = quote("/".join(part for part in os.path.relpath(warning.path).split(os.sep) if part != ".."))
    location = {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": warning.line}}}
    return {"level": "warning", "message": {"text": warning.text}, "locations": [location]}


def fix_sarif(document: dict[str, Any]) -> dict[str, Any]:
    catalog = _catalog()
    notifications = [notification(warning) for warning in _warnings()]
    for run in document.get("runs", []):
        for rule in run.get("tool", {}).get("driver", {}).get("rules", []):
            enrich_rule(rule, catalog)
        for result in run.get("results", []):
            fix_result(result)
        if notifications:
            run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": notifications}]
    return document


def _install_sarif() -> None:
    from checkov.common.output.sarif import Sarif

    if getattr(Sarif.create_json, "_checkov_emr", False):
        return
    original = Sarif.create_json

    def create_json(self: Sarif) -> dict[str, Any]:
        return fix_sarif(original(self))

    create_json._checkov_emr = True  # type: ignore[attr-defined]
    Sarif.create_json = create_json  # type: ignore[method-assign]


def _install_junit() -> None:
    from checkov.common.output.report import Report

    original = Report._create_test_case_failure_output
    if getattr(original, "_checkov_emr", False):
        return

    def failure_output(self: Report, record: Any) -> str:
        text = original(self, record)
        details = [str(d) for d in (getattr(record, "details", None) or [])]
        if not details:
            return text
        lines = text.split("\n")
        at = next((i + 1 for i, line in enumerate(lines) if line.startswith("Resource: ")), len(lines))
        shown = [f"Details: {details[0]}", *(f"         {d}" for d in details[1:])]
        return "\n".join(lines[:at] + shown + lines[at:])

    failure_output._checkov_emr = True  # type: ignore[attr-defined]
    Report._create_test_case_failure_output = failure_output  # type: ignore[method-assign]


def _install_json_warnings() -> None:
    from checkov.common.output.report import Report

    original = Report.get_summary
    if getattr(original, "_checkov_emr", False):
        return

    def get_summary(self: Report) -> dict[str, Any]:
        summary = original(self)
        warnings = _warnings()
        if warnings:
            summary["checkov_emr_warnings"] = [str(warning) for warning in warnings]
        return summary

    get_summary._checkov_emr = True  # type: ignore[attr-defined]
    Report.get_summary = get_summary  # type: ignore[method-assign]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _install_progress() -> None:
    from checkov.common.util.tqdm_utils import ProgressBar

    original = ProgressBar.initiate
    if not in_ci() or getattr(original, "_checkov_emr", False):
        return

    def initiate(self: ProgressBar, total: int) -> None:  # the runners' bars exist before this runs
        self.is_off = True
        original(self, total)

    initiate._checkov_emr = True  # type: ignore[attr-defined]
    ProgressBar.initiate = initiate  # type: ignore[method-assign]


def install() -> None:
    """Applies the changes above to Checkov in this process; each is skipped if Checkov's internals moved."""
    for step in (_install_sarif, _install_junit, _install_json_warnings, _install_progress):
        try:
            step()
        except (ImportError, AttributeError):
            pass
