"""The benchmark's report: the table of times and memory per corpus and tool, the ratios against their targets,
whether both tools found the same, and the copy of all that in docs/performance.md."""
from __future__ import annotations

import os
import platform
import statistics
from datetime import date
from typing import Optional

from bench.runner import TOOLS, Measurements

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(REPO, "docs", "performance.md")
BEGIN = "<!-- benchmark results: written by bench/benchmark.py, do not edit -->"
END = "<!-- end of benchmark results -->"
# median time ratio checkov-emr / checkov; `hook`: the pre-commit hook against plain `checkov -f`
TARGETS = {"pr": 0.35, "monorepo": 0.15, "modules": 0.3, "hook": 0.4}
MEMORY_TARGET = 1.0  # peak RSS ratio checkov-emr / checkov
POLICY_TARGET_US = 50.0


def ratios(measured: Measurements, corpus: str) -> tuple[float, float]:
    """(median time, peak memory) of checkov-emr over those of plain Checkov."""
    emr, plain = (corpus, "checkov-emr"), (corpus, "checkov")
    return (statistics.median(measured.times[emr]) / statistics.median(measured.times[plain]),
            measured.peaks[emr] / measured.peaks[plain])


def table(measured: Measurements, sizes: dict[str, int]) -> list[str]:
    lines = [f"{'corpus':<9} {'files':>5}  {'tool':<11} {'runs':>4} {'min s':>7} {'median s':>8} "
             f"{'peak RSS MiB':>12} {'time ratio':>10} {'memory ratio':>12}"]
    for corpus, files in sizes.items():
        time_ratio, memory_ratio = ratios(measured, corpus)
        for tool in TOOLS:
            times = measured.times[(corpus, tool)]
            ratio = f"{time_ratio:>10.2f} {memory_ratio:>12.2f}" if tool == "checkov-emr" else f"{'':>10} {'':>12}"
            lines.append(f"{corpus:<9} {files:>5}  {tool:<11} {len(times):>4} {min(times):>7.2f} "
                         f"{statistics.median(times):>8.2f} {measured.peaks[(corpus, tool)] / 1024:>12.0f} "
                         f"{ratio}".rstrip())
    return lines


def targets(measured: Measurements, corpora: list[str], policy_us: float) -> list[str]:
    lines = []
    for corpus in corpora:
        time_ratio, memory_ratio = ratios(measured, corpus)
        lines.append(f"target {corpus}: time ratio {time_ratio:.3f} <= {TARGETS[corpus]} "
                     f"{'met' if time_ratio <= TARGETS[corpus] else 'NOT met'}; memory ratio {memory_ratio:.3f} <= "
                     f"{MEMORY_TARGET} {'met' if memory_ratio <= MEMORY_TARGET else 'NOT met'}")
    lines.append(f"policy alone: {policy_us:.1f} us per configuration (emrsec.policy.evaluate; target < "
                 f"{POLICY_TARGET_US:.0f} us {'met' if policy_us < POLICY_TARGET_US else 'NOT met'})")
    return lines


def differences(measured: Measurements, corpora: list[str]) -> list[str]:
    """What makes the comparison fail: findings of one tool only, or no findings at all. Empty when it holds."""
    lines = []
    for corpus in corpora:
        emr, plain = measured.found[(corpus, "checkov-emr")], measured.found[(corpus, "checkov")]
        if emr != plain:
            lines.append(f"findings DIFFER on {corpus}:")
            lines += [f"  only checkov-emr: {finding}" for finding in sorted(emr - plain)]
            lines += [f"  only checkov:     {finding}" for finding in sorted(plain - emr)]
        if not plain:
            lines.append(f"no findings on {corpus}: the comparison proves nothing")
    return lines


def identical(measured: Measurements, corpora: list[str]) -> str:
    return "findings identical (file, resource, check id, result): " + \
        ", ".join(f"{corpus} {len(measured.found[(corpus, 'checkov')])}" for corpus in corpora)


def machine() -> str:
    """The CPU model and count, the system, Python's and Checkov's versions."""
    from importlib.metadata import version

    model: Optional[str] = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), None)
    except OSError:
        pass
    return (f"{os.cpu_count()} x {model or platform.processor() or 'unknown CPU'}, {platform.system()}, "
            f"Python {platform.python_version()}, Checkov {version('checkov')}")


def render(page: str, lines: list[str], runs: int, seed: int) -> str:
    """The page with the results between its markers replaced by `lines` and how they were measured."""
    start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
    block = [f"Measured on {date.today().isoformat()} ({machine()}; seed {seed}, {runs} runs):", "",
             "```", *lines, "```"]
    return page[:start] + "\n" + "\n".join(block) + "\n" + page[end:]


def write_page(lines: list[str], runs: int, seed: int) -> None:
    with open(PAGE, encoding="utf-8") as handle:
        page = handle.read()
    with open(PAGE, "w", encoding="utf-8") as handle:
        handle.write(render(page, lines, runs, seed))
