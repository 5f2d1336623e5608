"""Where scanned files are, and the files the pack reads on its own (Terraform `file()` / `templatefile()`).

Checks are not told the scan root: it is taken from Checkov's own arguments in this process (`-d`, `-f`,
`--var-file`, and the `directory` / `file` keys of a `.checkov.yaml` or `--config-file`). The pack reads only
regular UTF-8 files of at most 1 MiB inside the project root (`project_root`).
"""
from __future__ import annotations

import functools
import os
import stat
import sys
from dataclasses import dataclass
from typing import Sequence, Union

import yaml

from emrsec.values import Invalid, Unresolved

MAX_FILE_BYTES = 1024 * 1024
_CONFIG_FILES = (".checkov.yaml", ".checkov.yml")


# Checkov options that take one or more values (`-f a.tf b.yaml`); the others take one.
MANY_VALUES = frozenset({"-f", "--file", "--framework", "--skip-framework"})


def option_spans(argv: Sequence[str], *flags: str) -> list[tuple[int, int]]:
    """(start, end) of each use of `flags` in argv: the flag and the values it takes (`--flag=value`: one)."""
    spans: list[tuple[int, int]] = []
    for index, arg in enumerate(argv):
        if arg in flags:
            end = index + 1
            if arg in MANY_VALUES:
                while end < len(argv) and not argv[end].startswith("-"):
                    end += 1
            else:
                end = min(end + 1, len(argv))
            spans.append((index, end))
        elif "=" in arg and arg.split("=", 1)[0] in flags:
            spans.append((index, index + 1))
    return spans


def option_values(argv: Sequence[str], *flags: str) -> list[str]:
    """The values given to any of `flags` on a Checkov command line, in order."""
    return [value for start, end in option_spans(argv, *flags)
            for value in ([argv[start].split("=", 1)[1]] if argv[start] not in flags else argv[start + 1:end])]


def _argv_values(*flags: str) -> list[str]:
    return option_values(sys.argv[1:], *flags)


@functools.lru_cache(maxsize=1)
def _config() -> dict[str, list[str]]:
    """`directory`, `file`, `var-file` and `skip-path` from the Checkov config file in effect, if any: the
    --config-file, else the first found in a -d folder, the current folder, the home folder (as Checkov looks)."""
    folders = [*_argv_values("-d", "--directory"), os.getcwd(), os.path.expanduser("~")]
    candidates = _argv_values("--config-file") or [os.path.join(folder, name) for folder in folders
                                                    for name in _CONFIG_FILES]
    for path in candidates:
        try:
            with open(path, encoding="utf-8") as handle:
                loaded = yaml.safe_load(handle)
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(loaded, dict):
            return {key: [str(v) for v in (loaded.get(key) if isinstance(loaded.get(key), list) else [loaded.get(key)])
                          if v is not None] for key in ("directory", "file", "var-file", "skip-path")}
    return {}


def configured_inputs() -> list[str]:
    """The folders and files the Checkov config file in effect names to scan."""
    return _config().get("directory", []) + _config().get("file", [])


def configured_skip_paths() -> list[str]:
    """The config file's `skip-path` values (a `--skip-path` on the command line replaces them)."""
    return _config().get("skip-path", [])


ROOT_ENV = "CHECKOV_EMR_ROOT"  # set by `checkov-emr --pre-commit`: the repository the changed files belong to


@functools.lru_cache(maxsize=1)
def scan_roots() -> tuple[str, ...]:
    """The folders being scanned; the current folder only when Checkov was told none."""
    directories = _argv_values("-d", "--directory") or _config().get("directory", [])
    roots = [os.path.abspath(d) for d in directories] + [os.path.dirname(f) for f in _scanned_files()]
    if os.environ.get(ROOT_ENV):
        roots.append(os.path.abspath(os.environ[ROOT_ENV]))
    return tuple(roots or [os.getcwd()])


@functools.lru_cache(maxsize=1)
def var_files() -> tuple[str, ...]:
    """`--var-file`s, in the order Terraform would apply them (later wins)."""
    return tuple(os.path.abspath(f) for f in (_argv_values("--var-file") or _config().get("var-file", [])))


@functools.lru_cache(maxsize=64)
def project_root(scan_root: str) -> str:
    """Where module sources and file() targets may lead: the git work tree that holds the scanned folder
    (teams call `../../modules/x` from an env folder), else the scanned folder itself."""
    folder = os.path.abspath(scan_root)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.abspath(scan_root)
        folder = parent


def inside(folder: str, path: str) -> bool:
    """Whether `path` is `folder` or below it (both absolute, symbolic links resolved)."""
    real_folder = os.path.realpath(folder)
    return os.path.commonpath([real_folder, os.path.realpath(path)]) == real_folder


@dataclass(frozen=True)
class ModuleFiles:
    """Where a Terraform resource's files are: path.module, path.root (base of bare relative paths), scan root
    (files are read inside its project root)."""

    module_dir: str
    root: str
    root_module_dir: str = ""

    def read(self, relative: str, folder: str = "") -> Union[str, Unresolved, Invalid]:
        """A file's text (relative to `folder`, by default the root module's), or Unresolved saying why not."""
        shown = f'"{relative}"'
        if os.path.isabs(relative):
            return Unresolved(f"file {shown}, an absolute path the pack does not read")
        folder = folder or self.root_module_dir or self.module_dir
        target = os.path.realpath(os.path.join(folder, relative))
        if not inside(project_root(self.root), target):
            return Unresolved(f"file {shown}, outside the project (the git work tree, else the scanned folder)")
        try:
            info = os.stat(target)
        except OSError:
            return Unresolved(f"file {shown}, which does not exist")
        if not stat.S_ISREG(info.st_mode):
            return Unresolved(f"file {shown}, which is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            return Unresolved(f"file {shown}, larger than {MAX_FILE_BYTES} bytes")
        try:
            with open(target, "rb") as handle:
                return handle.read(MAX_FILE_BYTES + 1).decode("utf-8")
        except UnicodeDecodeError as error:
            return Invalid(f"is read from {shown}, which is not UTF-8 (byte {error.start})")
        except OSError as error:
            return Unresolved(f"file {shown}, which could not be read ({error.strerror})")


def _scanned_files() -> tuple[str, ...]:
    return tuple(os.path.abspath(f) for f in (_argv_values("-f", "--file") or _config().get("file", [])))


def candidates(scanned_file: str) -> list[tuple[str, str]]:
    """(absolute path, scan root) for every root under which `scanned_file` exists: more than one is ambiguous.

    Checkov names a file relative to the folder it scans; a file given with -f it names by its base name.
    """
    roots = sorted(scan_roots(), key=len)  # the widest root that holds a file is its scan root
    relative = scanned_file.lstrip("/\\")
    given = [f for f in _scanned_files() if f == os.path.abspath(scanned_file) or f.endswith(os.sep + relative)]
    if os.path.isabs(scanned_file) and os.path.isfile(scanned_file) and not given:
        given = [scanned_file]
    if given:
        return [(path, next((r for r in roots if os.path.commonpath([r, path]) == r), os.path.dirname(path)))
                for path in dict.fromkeys(given)]
    found: dict[str, str] = {}
    for root in roots:
        path = os.path.join(root, relative)
        if os.path.isfile(path):
            found.setdefault(os.path.realpath(path), root)
    if not found and os.path.isfile(scanned_file):  # the serverless runner names files from the current folder
        path = os.path.abspath(scanned_file)
        found = {os.path.realpath(path): r for r in roots if os.path.commonpath([r, path]) == r}
    return list(found.items())
