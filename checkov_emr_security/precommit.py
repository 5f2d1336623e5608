"""`checkov-emr --pre-commit [checkov flags] FILE...`: the pre-commit hook's mode.

pre-commit appends the changed files to the hook's arguments. This module must not import Checkov: a
commit that touches no EMR resource is decided by a plain text search and costs milliseconds instead of
Checkov's start-up (seconds). Files that do mention one are scanned with `-f`, one flag per file, so
Checkov reports only them, while `CHECKOV_EMR_ROOT` (the repository) lets the pack resolve Terraform
variables, locals, `file()` targets and module callers from the files around them. A changed Terraform file
can change an EMR resource's verdict without naming one (a variable's default, a `.tfvars` value, a module
argument or output): the EMR files of its folder, of the local modules it calls and of the folders that call
it are scanned with it; so are the EMR files reading a changed file and the templates a changed parent nests.
"""
from __future__ import annotations

import functools
import os
import re
import subprocess
from typing import Optional, Sequence

from checkov_emr_security import import_pack, prescan

import_pack()
from emrsec.documents import may_be_document  # noqa: E402

FLAG = "--pre-commit"
MAX_READ_BYTES = 4 * 1024 * 1024
TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
MAX_MODULE_FOLDERS = 256  # local module folders followed from one commit's changes

# Checkov 3.3 options that take a value: a file right after one of them is that value, not a changed file.
# tests/test_integrations.py compares this with Checkov's own parser.
VALUE_OPTIONS = frozenset({
    "-d", "--directory", "-f", "--file", "--skip-path", "--external-checks-dir", "--external-checks-git",
    "--external-checks-public-key", "-o", "--output", "--output-file-path", "--framework", "--skip-framework",
    "-c", "--check", "--skip-check", "--soft-fail-on", "--hard-fail-on", "--bc-api-key", "--prisma-api-url",
    "--docker-image", "--image", "--dockerfile-path", "--repo-id", "-b", "--branch",
    "--download-external-modules", "--var-file", "--external-modules-download-path", "--evaluate-variables",
    "-ca", "--ca-certificate", "--repo-root-for-plan-enrichment", "--config-file", "--create-config",
    "--baseline", "--skip-cve-package", "--policy-metadata-filter", "--policy-metadata-filter-exception",
    "--secrets-scan-file-type", "--block-list-secret-scan", "--summary-position", "--mask",
    "--secrets-history-timeout", "--custom-tool-name",
})


def split_arguments(arguments: Sequence[str]) -> tuple[list[str], list[str]]:
    """(Checkov flags, changed files): the trailing arguments that are existing files, or all after `--`."""
    arguments = [a for a in arguments if a != FLAG]
    if "--" in arguments:
        cut = arguments.index("--")
        return arguments[:cut], arguments[cut + 1:]
    cut = len(arguments)
    while cut > 0 and os.path.isfile(arguments[cut - 1]) and not (
            cut > 1 and arguments[cut - 2] in VALUE_OPTIONS):
        cut -= 1
    return arguments[:cut], arguments[cut:]


@functools.lru_cache(maxsize=16384)  # a repository's Terraform files: walked once, then read again for callers
def _head(path: str) -> tuple[bytes, bool]:
    """(a file's first MAX_READ_BYTES, whether it holds more): each file is read once per hook run."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_READ_BYTES + 1)
    except OSError:
        return b"", False
    return raw[:MAX_READ_BYTES], len(raw) > MAX_READ_BYTES


def _text(path: str) -> str:
    """The text of a file's first MAX_READ_BYTES, decoded as the prescan decodes it ("" if binary)."""
    return prescan.decoded(_head(path)[0]) or ""


def mentions_emr(path: str) -> bool:
    """Whether the file's text names an EMR security configuration or cluster type (also UTF-16 text, and
    escaped), is a serverless.yml that includes other files (`${file(...)}`), or may be a standalone document.

    Reads at most MAX_READ_BYTES; a larger file without a marker in that part is kept, so Checkov decides.
    """
    raw, longer = _head(path)
    text = prescan.decoded(raw)
    if text is None:  # binary: the markers as bytes
        found = any(marker.encode() in raw for marker in prescan.MARKERS)
    else:
        found = prescan.mentions_emr(text) or (
            prescan.serverless(path) and "${file(" in text) or may_be_document(path, text)
    return found or longer


@functools.lru_cache(maxsize=1)
def _terraform_files(top: str) -> list[tuple[str, str]]:
    """(folder, file) of the repository's Terraform files, relative to its top (pre-commit runs there), walked
    once per hook run."""
    found = []
    for folder, dirs, _ in os.walk(top):
        dirs[:] = sorted(prescan.walked(dirs))
        folder = os.path.relpath(folder, top)
        found += [(folder, os.path.join(folder, name)) for name in prescan.terraform_files(folder)]
    return found


@functools.lru_cache(maxsize=1)
def _callers(top: str) -> dict[str, list[str]]:
    """The folders that call each local module folder."""
    callers: dict[str, list[str]] = {}
    for folder, path in _terraform_files(top):
        for called in prescan.called_folders(folder, _text(path)):
            callers.setdefault(called, []).append(folder)
    return callers


@functools.lru_cache(maxsize=1)
def _emr_files(top: str) -> tuple[str, ...]:
    """The repository's Terraform files that name an EMR resource."""
    return tuple(path for _, path in _terraform_files(top) if mentions_emr(path))


def affected_emr_files(changed: Sequence[str]) -> list[str]:
    """The Terraform files naming an EMR resource in the folders of the changed Terraform files, in the local
    modules those folders call and in the folders that call them (and so on): the resources that a change of a
    variable, a tfvars value, a module argument or a module's output can affect."""
    pending = [os.path.normpath(os.path.dirname(path)) for path in changed if path.endswith(TERRAFORM_SUFFIXES)]
    folders: dict[str, None] = {}
    while pending and len(folders) < MAX_MODULE_FOLDERS:
        folder = pending.pop()
        if folder in folders or not _inside_working_folder(folder):
            continue
        folders[folder] = None
        pending += _callers(os.getcwd()).get(folder, [])
        for name in prescan.terraform_files(folder):
            pending += prescan.called_folders(folder, _text(os.path.join(folder, name)))
    return [os.path.join(folder, name) for folder in folders for name in prescan.terraform_files(folder)
            if mentions_emr(os.path.join(folder, name))]


def _inside_working_folder(folder: str) -> bool:
    """Whether the folder is in the repository pre-commit runs in (a module source can point anywhere)."""
    here = os.path.realpath(os.getcwd())
    return os.path.commonpath([here, os.path.realpath(folder)]) == here


def repository_root() -> str:
    """The git top-level folder of the current folder, or the current folder outside git."""
    try:
        completed = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                                   timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return os.getcwd()
    top = completed.stdout.strip()
    return top if completed.returncode == 0 and os.path.isdir(top) else os.getcwd()


def emr_files_reading(changed: Sequence[str]) -> list[str]:
    """The Terraform files naming an EMR resource anywhere in the repository that name a changed file (a
    `file()` or `templatefile()` target, however far its path leads)."""
    names = {os.path.basename(path) for path in changed if not path.endswith(TERRAFORM_SUFFIXES)}
    if not names:
        return []
    return [path for path in _emr_files(os.getcwd()) if any(name in _text(path) for name in names)]


# A nested template as `aws cloudformation package` and SAM read it: a local TemplateURL / Location.
_NESTED_TEMPLATE = re.compile(r"""["']?(?:TemplateURL|Location)["']?\s*:\s*["']?(?!\w+://)([\w./\-]+\.(?:ya?ml|json|template))""")


def emr_templates_nested_by(changed: Sequence[str]) -> list[str]:
    """The templates naming an EMR resource that a changed template nests by a local path: a parameter the
    parent passes decides the child's verdict."""
    found = []
    for path in changed:
        text = _text(path)
        if "AWS::CloudFormation::Stack" not in text and "AWS::Serverless::Application" not in text:
            continue
        for location in _NESTED_TEMPLATE.findall(text):
            child = os.path.normpath(os.path.join(os.path.dirname(path), location))
            if os.path.isfile(child) and _inside_working_folder(os.path.dirname(child) or ".") and mentions_emr(child):
                found.append(child)
    return found


def emr_files_for_var_files(flags: Sequence[str], changed: Sequence[str]) -> list[str]:
    """Every Terraform file naming an EMR resource in the repository, when a changed file is one of the
    hook's `--var-file`s (its values apply to whatever reads those variables)."""
    if not any(flag.partition("=")[0] == "--var-file" for flag in flags):
        return []
    import_pack()  # the pack reads Checkov's command line: one parser for both
    from emrsec.sources import option_values

    var_files = {os.path.normpath(value) for value in option_values(flags, "--var-file")}
    if not var_files.intersection(os.path.normpath(path) for path in changed):
        return []
    return list(_emr_files(os.getcwd()))


def checkov_arguments(arguments: Sequence[str]) -> Optional[list[str]]:
    """The checkov-emr arguments for the changed files that mention EMR and the EMR files the changed files
    can affect, or None when there are none."""
    flags, files = split_arguments(arguments)
    kept = [path for path in files if mentions_emr(path)] + affected_emr_files(files) + emr_files_reading(files) \
        + emr_templates_nested_by(files) + emr_files_for_var_files(flags, files)
    unique = list(dict.fromkeys(os.path.normpath(path) for path in kept))
    if not unique:
        return None
    return [*flags, *(part for path in unique for part in ("-f", path))]
