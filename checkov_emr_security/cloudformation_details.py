"""Shows the pack's finding details for CloudFormation, whose Checkov runner does not copy a check's `details`.

The pack's CloudFormation checks put their details into the check result; this makes the runner's
records carry them, so CLI, JSON, SARIF and JUnit show the path and the fix as they do for Terraform.
"""
from __future__ import annotations

from typing import Any

import checkov.cloudformation.runner as cloudformation_runner
from checkov.common.output.record import Record


def _record(*args: Any, **kwargs: Any) -> Record:
    details = (kwargs.get("check_result") or {}).get("details")
    if details and not kwargs.get("details"):
        kwargs["details"] = list(details)
    return Record(*args, **kwargs)


def install() -> None:
    cloudformation_runner.Record = _record  # type: ignore[assignment,misc]
