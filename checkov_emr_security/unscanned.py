"""CKV_EMRSEC_9, decided in one place: after Checkov's runners ran, every file reported through the channel
for files the scan could not read (`emrsec.unread`) that names an EMR type becomes a FAILED record in the
report of the framework that reads it. Being a Checkov record, it shows in every output format, counts for
the exit code (`--soft-fail`, `--hard-fail-on`) and follows `--check` / `--skip-check`.

Checkov's parse errors join the channel here: each runner lists the files it could not parse, without the
reason, so the file is read again with the pack's reader to quote the parser's error and line.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import sys
import tempfile
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

import yaml

from checkov_emr_security import import_pack, prescan, standalone

if TYPE_CHECKING:
    from checkov.common.output.record import Record
    from checkov.common.output.report import Report
    from checkov.runner_filter import RunnerFilter
    from emrsec.catalog import CheckSpec

TERRAFORM = (".tf", ".hcl", ".tf.json", ".tfvars", ".tfvars.json")
_DECIDED: set[str] = set()  # Checkov merges a -d folder's reports into the previous folder's: decide a file once


def _unread_by(check_type: str, path: str) -> bool:
    """Whether a runner's parse error means the file went unread: Checkov's plan runner tries every .json,
    a .tf.json too (which the terraform_json runner reads)."""
    return not (check_type == "terraform_plan" and path.endswith(".tf.json"))


def _yaml_or_json_error(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8-sig") as handle:  # Checkov's parsers accept a byte-order mark
            text = handle.read()
        if path.endswith(".json"):
            json.loads(text)
        else:
            yaml.compose(text, Loader=yaml.SafeLoader)  # composing ignores CloudFormation's short-form tags
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        return f"{error.problem} at line {mark.line + 1}, column {mark.column + 1}" if mark else str(error.problem)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        return str(error)
    return None


def _cloudformation_error(path: str) -> Optional[str]:
    """What Checkov's CloudFormation parser says of a file that is valid YAML or JSON (a duplicate resource),
    without logging it a second time."""
    from checkov.cloudformation.parser import parse

    errors: dict[str, str] = {}
    logging.disable(logging.ERROR)
    try:
        parse(path, out_parsing_errors=errors)
    finally:
        logging.disable(logging.NOTSET)
    return next((error.split(f"{path} - ", 1)[-1] for error in errors.values()), None)


def _read_again(path: str, check_type: str) -> None:
    """Reports a file Checkov could not parse, with the parser's error when the pack's reader finds one."""
    from emrsec import unread
    from emrsec.terraform_scope import load_document

    if path.endswith(TERRAFORM):
        load_document(path)  # reports its parser's error
    else:
        error = _yaml_or_json_error(path) or (_cloudformation_error(path) if check_type == "cloudformation" else None)
        if error:
            unread.report_parse_error(path, error)
    if not unread.reported(path):
        unread.report_parse_error(path, f"Checkov's {check_type} parser rejected it")


def _check_type(path: str) -> str:
    """The framework whose report holds the file's finding."""
    if path.endswith(".tf.json"):
        return "terraform_json"
    if path.endswith(TERRAFORM):
        return "terraform"
    return "serverless" if prescan.serverless(path) else "cloudformation"


def shown_path(path: str, root_folder: Optional[str]) -> str:
    """The file as Checkov names files: under the -d folder, else relative to the current folder."""
    if root_folder:
        root = os.path.abspath(root_folder)
        if os.path.commonpath([root, path]) == root:
            return "/" + os.path.relpath(path, root).replace(os.sep, "/")
    return "/" + os.path.relpath(path).replace(os.sep, "/")


def file_record(spec: CheckSpec, passed: bool, path: str, lines: tuple[int, int], root_folder: Optional[str],
                details: list[str], evaluated_keys: list[str]) -> Record:
    """A record of one of the pack's checks with a whole file as its resource, as Checkov writes records."""
    from checkov.common.bridgecrew.severities import BcSeverities, Severities
    from checkov.common.models.enums import CheckResult
    from checkov.common.output.record import Record

    shown = shown_path(path, root_folder)
    record = Record(check_id=spec.id, check_name=spec.name,
                    check_result={"result": CheckResult.PASSED if passed else CheckResult.FAILED,
                                  "evaluated_keys": evaluated_keys},
                    code_block=[], file_path=shown, file_line_range=list(lines), resource=shown.lstrip("/"),
                    evaluations=None, check_class=__name__, file_abs_path=path,
                    severity=Severities[getattr(BcSeverities, spec.severity)], details=details)
    record.set_guideline(spec.guideline)
    return record


def add_record(reports: list[Report], check_type: str, record: Record) -> None:
    """Adds `record` to the report of `check_type`, a new report at the end when the run made none."""
    from checkov.common.output.report import Report

    report = next((r for r in reports if r.check_type == check_type), None)
    if report is None:
        report = Report(check_type)
        reports.append(report)
    report.add_record(record)


def add_findings(reports: list[Report], runner_filter: RunnerFilter, root_folder: Optional[str], last: bool,
                 asked: Callable[[str, str], bool]) -> None:
    """Adds the CKV_EMRSEC_9 records of this run (one -d folder, or the -f files) to `reports`: those of the
    files under its folder, and in the last run those of every file left (-f files the prescan kept from
    Checkov, serverless fragments elsewhere)."""
    import_pack()
    from emrsec import unread
    from emrsec.catalog import UNSCANNED

    errored = {os.path.abspath(path): report.check_type for report in reports for path in report.parsing_errors
               if _unread_by(report.check_type, path) and os.path.abspath(path) not in _DECIDED}
    for path, check_type in sorted(errored.items()):
        _read_again(path, check_type)
    root = os.path.abspath(root_folder) if root_folder else None
    judged = {os.path.abspath(record.file_abs_path) for report in reports
              for record in (*report.passed_checks, *report.failed_checks, *report.skipped_checks)}
    found = unread.take(lambda path: last or root is None or path in errored
                        or os.path.commonpath([root, path]) == root)
    _DECIDED.update(unread_file.path for unread_file in found)
    if not runner_filter.should_run_check(check_id=UNSCANNED.id):
        return
    for unread_file in found:
        if (unread_file.unless_judged and unread_file.path in judged) or not prescan.names_emr(unread_file.path):
            continue
        check_type = _check_type(unread_file.path)
        if not asked(unread_file.path, check_type):
            continue
        line = (unread_file.line, unread_file.line)
        why = f"{shown_path(unread_file.path, root_folder).lstrip('/')} {unread_file.why}"
        add_record(reports, check_type, file_record(UNSCANNED, False, unread_file.path, line, root_folder,
                                                    [why, f"Fix: {unread_file.fix}"], []))


def install(directories: Sequence[str], asked: Callable[[str, str], bool]) -> None:
    """Makes Checkov's runner registry add the findings to the reports of each run, before any output.
    `directories`: the -d folders, in the order Checkov scans them (one run each); `asked`: whether the user's
    own framework and path selection keep a file read by a framework."""
    from checkov.common.runners.runner_registry import RunnerRegistry

    original = RunnerRegistry.run
    if getattr(original, "_checkov_emr", False):
        return
    last_folder = os.path.abspath(directories[-1]) if directories else None
    import_pack()
    from emrsec import undecided

    shown: set[Any] = set()
    handle, notes = tempfile.mkstemp(prefix="checkov-emr-undecided-", suffix=".jsonl")
    os.close(handle)
    os.environ[undecided.UNDECIDED_ENV] = notes  # the checks may run in forked processes
    atexit.register(lambda: os.path.exists(notes) and os.remove(notes))

    def run(self: RunnerRegistry, root_folder: Optional[str] = None, external_checks_dir: Optional[list[str]] = None,
            files: Optional[list[str]] = None, *args: Any, **kwargs: Any) -> list[Report]:
        reports = original(self, root_folder, external_checks_dir, files, *args, **kwargs)
        last = root_folder is None or last_folder in (None, os.path.abspath(root_folder))
        standalone.add_findings(reports, self.runner_filter, root_folder, last, asked)
        add_findings(reports, self.runner_filter, root_folder, last, asked)
        for warning in undecided.noted():
            if warning not in shown:
                shown.add(warning)
                print(f"checkov-emr: warning: {warning}", file=sys.stderr)
        return reports

    run._checkov_emr = True  # type: ignore[attr-defined]
    RunnerRegistry.run = run  # type: ignore[method-assign]
