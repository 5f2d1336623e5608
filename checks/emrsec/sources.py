"""Files the pack reads on its own (Terraform `file()` / `templatefile()`): only regular files inside the scan root."""
from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from typing import Union

from emrsec.values import Invalid, Unresolved

MAX_FILE_BYTES = 1024 * 1024
_ROOT_FLAGS = ("-d", "--directory")
_FILE_FLAGS = ("-f", "--file")


def _argv_values(flags: tuple[str, ...]) -> list[str]:
    """Values of Checkov's own flags in this process (checks are not told the scan root)."""
    values, argv = [], sys.argv[1:]
    for index, arg in enumerate(argv):
        if arg in flags and index + 1 < len(argv):
            values.append(argv[index + 1])
        elif "=" in arg and arg.split("=", 1)[0] in flags:
            values.append(arg.split("=", 1)[1])
    return values


def _candidate_roots() -> list[str]:
    roots = [os.path.abspath(d) for d in _argv_values(_ROOT_FLAGS)]
    roots += [os.path.dirname(os.path.abspath(f)) for f in _argv_values(_FILE_FLAGS)]
    return roots + [os.getcwd()]


@dataclass(frozen=True)
class ModuleFiles:
    """Where a Terraform resource's file() paths resolve: its module folder, inside the scan root."""

    module_dir: str
    root: str

    def read(self, relative: str) -> Union[str, Unresolved, Invalid]:
        if os.path.isabs(relative):
            return Unresolved(f'file("{relative}"), an absolute path the pack does not read')
        real_root = os.path.realpath(self.root)
        target = os.path.realpath(os.path.join(self.module_dir, relative))
        if os.path.commonpath([real_root, target]) != real_root:
            return Unresolved(f'file("{relative}"), outside the scanned folder {self.root}')
        try:
            info = os.stat(target)
        except OSError:
            return Unresolved(f'file("{relative}"), which does not exist in the scanned folder')
        if not stat.S_ISREG(info.st_mode):
            return Unresolved(f'file("{relative}"), which is not a regular file')
        if info.st_size > MAX_FILE_BYTES:
            return Unresolved(f'file("{relative}"), larger than {MAX_FILE_BYTES} bytes')
        try:
            with open(target, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            return Invalid(f'is read from "{relative}", which is not UTF-8 (byte {error.start})')
        except OSError as error:
            return Unresolved(f'file("{relative}"), which could not be read ({error.strerror})')


def locate(scanned_file: str) -> ModuleFiles | None:
    """The module folder and scan root of a file as Checkov names it (relative to the root it scans)."""
    roots = _candidate_roots()
    if os.path.isabs(scanned_file) and os.path.isfile(scanned_file):
        inside = [r for r in roots if os.path.commonpath([r, scanned_file]) == r]
        root = max(inside, key=len) if inside else os.path.dirname(scanned_file)
        return ModuleFiles(os.path.dirname(scanned_file), root)
    for root in roots:
        candidate = os.path.join(root, scanned_file.lstrip("/\\"))
        if os.path.isfile(candidate):
            return ModuleFiles(os.path.dirname(candidate), root)
    return None
