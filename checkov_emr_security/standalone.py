"""Standalone security-configuration documents and Amazon States Language files (`emrsec.documents`), judged by
checkov-emr itself: no Checkov runner hands them to a check. The prescan notes the candidates (a text test, so
a monorepo's other JSON files are never parsed); after Checkov's runners ran, each becomes records of checks 1-7
(a configuration) or 8 and 10 (a state machine) in the `json` / `yaml` report, the file as resource. Being
Checkov records, they show in every output format, count for the exit code and follow --check / --skip-check.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Optional

from checkov_emr_security import import_pack

if TYPE_CHECKING:
    from checkov.common.output.report import Report
    from checkov.runner_filter import RunnerFilter

_CANDIDATES: dict[str, str] = {}  # path -> its text
_DECIDED: set[str] = set()


def consider(path: str, text: str) -> bool:
    """Notes a file the prescan read that may be a standalone document; True when Checkov's runners need not read
    it (a serverless.yml is read by them as well: its `resources` are CloudFormation)."""
    import_pack()
    from emrsec.documents import may_be_document, serverless

    if not may_be_document(path, text):
        return False
    _CANDIDATES[os.path.abspath(path)] = text
    return not serverless(path)


def _check_type(path: str) -> str:
    from emrsec.documents import serverless

    return "serverless" if serverless(path) else "json" if path.endswith(".json") else "yaml"


def add_findings(reports: list[Report], runner_filter: RunnerFilter, root_folder: Optional[str], last: bool,
                 asked: Callable[[str, str], bool]) -> None:
    """Adds the records of the documents under this run's folder (in the last run: every one left)."""
    from checkov_emr_security.unscanned import add_record, file_record, shown_path
    from emrsec import undecided, unread
    from emrsec.catalog import BY_ID, CLUSTER_NAMED
    from emrsec.documents import CONFIGURATION, Unreadable, read
    from emrsec.policy import Outcome, evaluate, evaluate_launches

    root = os.path.abspath(root_folder) if root_folder else None
    for path, text in sorted(_CANDIDATES.items()):
        if path in _DECIDED or not (last or root is None or os.path.commonpath([root, path]) == root):
            continue
        _DECIDED.add(path)
        check_type = _check_type(path)
        if not asked(path, check_type):
            continue
        try:
            document = read(path, text)
        except Unreadable as error:
            unread.report_parse_error(path, str(error))  # CKV_EMRSEC_9, decided after this
            continue
        if document is None:
            continue
        verdicts = evaluate(document.variants) if document.kind == CONFIGURATION else evaluate_launches(document.variants)
        for number, verdict in sorted(verdicts.items()):
            spec = BY_ID[f"CKV_EMRSEC_{number}"]
            if not runner_filter.should_run_check(check_id=spec.id):
                continue
            if verdict.outcome is Outcome.UNKNOWN:
                if spec is CLUSTER_NAMED:  # a state machine that may launch a cluster without a configuration
                    undecided.note(path, 1, shown_path(path, root_folder).lstrip("/"), verdict.message)
                continue
            passed = verdict.outcome is Outcome.PASSED
            add_record(reports, check_type, file_record(
                spec, passed, path, (1, document.lines), root_folder,
                [] if passed else [verdict.message, f"Fix: {verdict.fixes or spec.fix}"],
                [verdict.path] if verdict.path else []))
