"""Runs checkov-emr and plain Checkov with the pack on each corpus, alternating, and records each run's wall time,
peak memory and findings."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass, field
from typing import Callable, Optional

from bench.corpora.cloudformation import emr_configuration
from bench.corpora.common import KMS_KEY
from checkov_emr_security import checks_dir, import_pack

import_pack()
from emrsec.catalog import FRAMEWORKS  # noqa: E402  (importable once the pack's folder is on sys.path)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
TOOLS = ("checkov-emr", "checkov")

Finding = tuple[str, str, str, str]  # (file relative to the corpus, resource, check id, result)


class ScanFailed(RuntimeError):
    """A scan exited with neither 0 nor 1."""


class FindingsChanged(RuntimeError):
    """A tool reported other findings than in its first run on the same corpus."""


@dataclass
class Measurements:
    """Per (corpus, tool): the wall time of each run, the largest peak RSS (KiB) and the findings."""
    times: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    peaks: dict[tuple[str, str], int] = field(default_factory=dict)
    found: dict[tuple[str, str], set[Finding]] = field(default_factory=dict)


@dataclass(frozen=True)
class Scan:
    """One comparison: each tool's command, run in `cwd` with `env` added; `files` (relative to `corpus`) limits
    the findings compared, where one tool also reports files that others affect (None: all)."""
    corpus: str
    commands: dict[str, list[str]]
    cwd: str = REPO
    env: dict[str, str] = field(default_factory=dict)
    files: Optional[frozenset[str]] = None


def _checkov_emr() -> list[str]:
    checkov_emr = os.path.join(BIN, "checkov-emr")
    return [checkov_emr] if os.access(checkov_emr, os.X_OK) else [sys.executable, "-m", "checkov_emr_security.cli"]


def _plain_checkov(*inputs: str) -> list[str]:
    """Plain Checkov with the pack loaded, on the frameworks checkov-emr may start."""
    return [os.path.join(BIN, "checkov"), *inputs, "--external-checks-dir", checks_dir(), "--check", "CKV_EMRSEC_*",
            "--framework", *FRAMEWORKS, "--skip-download", "-o", "json"]


def folder_scan(corpus: str) -> Scan:
    """`checkov-emr -d CORPUS` against plain `checkov -d CORPUS`."""
    return Scan(corpus, {"checkov-emr": [*_checkov_emr(), "-d", corpus, "-o", "json"],
                         "checkov": _plain_checkov("-d", corpus)})


def hook_scan(corpus: str, commit: list[str]) -> Scan:
    """The pre-commit hook on a commit's files, run at the repository's top as pre-commit runs it, against plain
    `checkov -f` on the same files. Both resolve values from the repository (`CHECKOV_EMR_ROOT`, which the hook
    sets itself); the hook also scans the EMR files the commit can affect, so only the commit's files are
    compared."""
    from emrsec.sources import ROOT_ENV

    return Scan(corpus, {"checkov-emr": [*_checkov_emr(), "--pre-commit", "-o", "json", *commit],
                         "checkov": _plain_checkov(*(part for path in commit for part in ("-f", path)))},
                cwd=corpus, env={ROOT_ENV: corpus}, files=frozenset(commit))


def run_once(command: list[str], cwd: str = REPO, env: Optional[dict[str, str]] = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in KiB of the process tree's largest process, stdout); raises ScanFailed."""
    environment = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        if GNU_TIME:
            start = time.perf_counter()
            process = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", rss.name, *command], stdout=out, stderr=err,
                                       cwd=cwd, env=environment)
            code = process.wait()
            seconds = time.perf_counter() - start
            peak = int(rss.read().split()[-1])  # after "Command exited with non-zero status N" if any
        else:  # the child's rusage: ru_maxrss covers it and every descendant it waited for
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd, env=environment)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            code = process.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss
        out.seek(0)
        err.seek(0)
        if code not in (0, 1):
            tail = err.read().decode("utf-8", "replace")[-3000:]
            raise ScanFailed(f"{' '.join(command)} exited {code}:\n{tail}")
        return seconds, peak, out.read().decode("utf-8")


def findings(stdout: str, corpus: str) -> set[Finding]:
    """The findings of every reported record (passed, failed, skipped) of the pack's checks."""
    data = json.loads(stdout)
    found = set()
    for report in data if isinstance(data, list) else [data]:
        results = report.get("results", {})
        for key in ("passed_checks", "failed_checks", "skipped_checks"):
            for record in results.get(key, []):
                if not record["check_id"].startswith("CKV_EMRSEC_"):
                    continue
                path = record.get("file_abs_path") or os.path.join(corpus, record["file_path"].lstrip("/"))
                relative = os.path.relpath(os.path.realpath(path), os.path.realpath(corpus))
                found.add((relative, record["resource"], record["check_id"], record["check_result"]["result"]))
    return found


def measure(scans: dict[str, Scan], runs: int, log: Callable[[str], None]) -> Measurements:
    """Each tool of each scan `runs` times, the tools' order swapped every other run (so neither always runs
    on a cache the other warmed). Raises ScanFailed or FindingsChanged."""
    measured = Measurements()
    for run in range(runs):
        for corpus, scan in scans.items():
            commands = list(scan.commands.items())
            for tool, command in commands if run % 2 == 0 else commands[::-1]:
                seconds, peak, stdout = run_once(command, scan.cwd, scan.env)
                measured.times.setdefault((corpus, tool), []).append(seconds)
                measured.peaks[(corpus, tool)] = max(measured.peaks.get((corpus, tool), 0), peak)
                result = {f for f in findings(stdout, scan.corpus) if scan.files is None or f[0] in scan.files}
                if measured.found.setdefault((corpus, tool), result) != result:
                    raise FindingsChanged(f"findings of {tool} on {corpus} changed between runs")
                log(f"run {run + 1}/{runs} {corpus:<8} {tool:<11} {seconds:7.1f} s "
                    f"{peak / 1024:7.0f} MiB {len(result)} findings")
    return measured


def policy_microseconds(quick: bool) -> float:
    """Microseconds per `evaluate` of a typical configuration (best of 5 repeats)."""
    from emrsec.policy import evaluate
    from emrsec.values import Variant

    variants = [Variant("", emr_configuration("strict", KMS_KEY))]
    evaluate(variants)
    number = 2000 if quick else 20000
    return min(timeit.repeat(lambda: evaluate(variants), number=number, repeat=5)) / number * 1e6
