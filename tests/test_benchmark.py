"""bench/benchmark.py runs end to end on its small corpora (no timing is asserted)."""
from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_quick_benchmark_runs_and_both_tools_agree() -> None:
    completed = subprocess.run([sys.executable, os.path.join(REPO, "bench", "benchmark.py"), "--quick", "--runs", "1"],
                               check=False, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stdout + completed.stderr[-4000:]
    lines = completed.stdout.splitlines()
    assert any(line.split()[:3] == ["corpus", "files", "tool"] for line in lines if line.strip()), completed.stdout
    assert any(line.startswith("findings identical") for line in lines), completed.stdout
