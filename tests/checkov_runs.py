"""Runs the real Checkov (plain, and through checkov-emr) and reads its JSON report."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from emrsec.catalog import FRAMEWORKS  # every framework checkov-emr may start, given to plain Checkov too

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKS_DIR = os.path.join(REPO, "checks")
BIN = os.path.dirname(sys.executable)


def checkov_emr(*args: str, cwd: str = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checkov_emr_security.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900)


def plain_checkov(*args: str, cwd: str = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([os.path.join(BIN, "checkov"), "--skip-download", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900)


def plain_checkov_with_pack(*args: str, cwd: str = REPO) -> subprocess.CompletedProcess[str]:
    """Plain Checkov loading the pack with its checks only, on every framework checkov-emr may start."""
    return plain_checkov(*args, "--framework", *FRAMEWORKS, "--external-checks-dir", CHECKS_DIR,
                         "--check", "CKV_EMRSEC_*", "-o", "json", cwd=cwd)


def reports(completed: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    if completed.returncode not in (0, 1):
        raise AssertionError(f"checkov exited {completed.returncode}:\n{completed.stderr[-4000:]}")
    found: list[dict[str, Any]] = []
    decoder, text, position = json.JSONDecoder(), completed.stdout.strip(), 0
    while position < len(text):  # Checkov prints one JSON document per folder given with -d
        data, end = decoder.raw_decode(text, position)
        found += data if isinstance(data, list) else [data]
        position = end
        while position < len(text) and text[position].isspace():
            position += 1
    return found


def records(completed: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """Every reported record (passed, failed, skipped) of the pack's checks."""
    found = []
    for report in reports(completed):
        results = report.get("results", {})
        for key in ("passed_checks", "failed_checks", "skipped_checks"):
            found += [r for r in results.get(key, []) if r["check_id"].startswith("CKV_EMRSEC_")]
    return found


def findings(completed: subprocess.CompletedProcess[str]) -> set[tuple[str, str, str, str]]:
    """(file, resource, check id, result) of every record of the pack's checks."""
    return {(r["file_path"], r["resource"], r["check_id"], r["check_result"]["result"]) for r in records(completed)}
