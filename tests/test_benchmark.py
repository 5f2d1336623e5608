"""bench/benchmark.py runs end to end on its small corpora, and its report keeps docs/performance.md in shape
(no timing is asserted)."""
from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from bench import report  # noqa: E402
from bench.report import TARGETS  # noqa: E402  (a target per comparison: the corpora and the hook)
from bench.runner import Measurements  # noqa: E402


def test_quick_benchmark_runs_and_both_tools_agree() -> None:
    with open(report.PAGE, encoding="utf-8") as handle:
        page = handle.read()
    completed = subprocess.run([sys.executable, os.path.join(REPO, "bench", "benchmark.py"), "--quick", "--runs", "1"],
                               check=False, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stdout + completed.stderr[-4000:]
    lines = completed.stdout.splitlines()
    assert any(line.split()[:3] == ["corpus", "files", "tool"] for line in lines if line.strip()), completed.stdout
    assert {line.split()[1] for line in lines if line.startswith("target ")} == {f"{name}:" for name in TARGETS}
    assert any(line.startswith("findings identical") for line in lines), completed.stdout
    with open(report.PAGE, encoding="utf-8") as handle:
        assert handle.read() == page, "--quick must leave the performance page alone"


def _results(page: str) -> list[str]:
    return page[page.index(report.BEGIN) + len(report.BEGIN):page.index(report.END)].strip().splitlines()


def test_performance_page_holds_a_full_run_of_every_corpus() -> None:
    with open(report.PAGE, encoding="utf-8") as handle:
        results = _results(handle.read())
    assert results[0].startswith("Measured on ") and "runs" in results[0], results
    assert any(line.split()[:3] == ["corpus", "files", "tool"] for line in results), results
    for corpus in TARGETS:
        assert any(line.startswith(f"target {corpus}: ") for line in results), (corpus, results)
        assert sum(line.split()[:1] == [corpus] for line in results) == 2, (corpus, results)
    assert results[-2].startswith("findings identical") and results[-1] == "```", results


def test_report_replaces_only_what_lies_between_the_markers() -> None:
    measured = Measurements()
    for corpus in TARGETS:
        for tool, seconds in (("checkov-emr", 1.0), ("checkov", 4.0)):
            measured.times[(corpus, tool)] = [seconds]
            measured.peaks[(corpus, tool)] = 1024
            measured.found[(corpus, tool)] = {("main.tf", "aws_emr_cluster.a", "CKV_EMRSEC_8", "PASSED")}
    names = list(TARGETS)
    lines = [*report.table(measured, {name: 3 for name in names}), "", *report.targets(measured, names, 10.0),
             report.identical(measured, names)]
    page = f"# Page\n\nbefore\n\n{report.BEGIN}\nold results\n{report.END}\n\nafter\n"
    rendered = report.render(page, lines, runs=1, seed=1)
    assert rendered.startswith("# Page\n\nbefore\n\n") and rendered.endswith(f"{report.END}\n\nafter\n")
    assert "old results" not in rendered and _results(rendered)[3:-1] == lines
    assert report.render(rendered, lines, runs=1, seed=1) == rendered
    assert report.differences(measured, names) == []
