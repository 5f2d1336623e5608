"""The versions setup.py declares, each tested: the oldest Checkov it accepts runs the fast tests, and every
Python it declares besides the one running this suite runs the policy, input and fixture tests (with the newest
Checkov the range admits, which is what a fresh install takes)."""
from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

import pytest

from checkov_runs import REPO

SETUP = open(os.path.join(REPO, "setup.py"), encoding="utf-8").read()
OLDEST_CHECKOV = re.search(r'"checkov>=([\d.]+),', SETUP).group(1)  # type: ignore[union-attr]
DECLARED_PYTHONS = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', SETUP)
OTHER_PYTHONS = [v for v in DECLARED_PYTHONS if v != f"{sys.version_info.major}.{sys.version_info.minor}"]
FAST_SUBSET = ["tests/test_policy.py", "tests/test_inputs.py", "tests/test_terraform_evaluation.py",
               "tests/test_fixtures.py", "-k", "not plain-checkov"]


def _interpreter(version: str) -> str:
    """The machine's Python `version`: on PATH, else a pyenv build."""
    candidates = [f"python{version}", *sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python")))]
    for candidate in candidates:
        try:
            completed = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if completed.returncode == 0 and completed.stdout.startswith(f"Python {version}."):
            return candidate
    pytest.fail(f"Python {version} is declared in setup.py but not installed here: install it or stop declaring it")


def _virtualenv(interpreter: str, folder: str, *requirements: str) -> str:
    subprocess.run([interpreter, "-m", "venv", folder], check=True, timeout=300)
    python = os.path.join(folder, "bin", "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True, timeout=600)
    subprocess.run([python, "-m", "pip", "install", "--quiet", *requirements], check=True, timeout=1800)
    return python


def _pytest(python: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments], cwd=REPO,
                          capture_output=True, text=True, timeout=3600)


@pytest.mark.slow
def test_the_oldest_supported_checkov_passes_the_fast_tests(tmp_path) -> None:
    python = _virtualenv(sys.executable, str(tmp_path / "venv"), f"{REPO}[test]", f"checkov=={OLDEST_CHECKOV}")
    version = subprocess.run([os.path.join(os.path.dirname(python), "checkov"), "--version"], capture_output=True,
                             text=True, timeout=300)
    assert version.stdout.strip() == OLDEST_CHECKOV
    completed = _pytest(python, "tests", "-m", "not slow")
    assert completed.returncode == 0, completed.stdout[-6000:]


@pytest.mark.slow
@pytest.mark.parametrize("version", OTHER_PYTHONS)
def test_every_declared_python_runs_the_policy_inputs_and_fixtures(version: str, tmp_path) -> None:
    python = _virtualenv(_interpreter(version), str(tmp_path / "venv"), f"{REPO}[test]")
    completed = _pytest(python, *FAST_SUBSET)
    assert completed.returncode == 0, completed.stdout[-6000:]
