"""Decides, before Checkov starts, which files a scan needs and which it cannot judge.

Checkov parses every file of a repository, EMR or not, and hangs on some hostile input (a YAML alias bomb,
a template of many megabytes). `checkov-emr -d` first reads each candidate file as plain text (no parsing):
files that mention no EMR resource are skipped. In a Terraform folder with EMR resources, and in the folders
that call it as a module (Checkov names module resources through their callers), Checkov also reads the files
that declare what a resource can refer to (variables, locals, modules, data sources): only files made of
other resources and outputs are skipped there. Files that cannot be judged
(too large, not UTF-8 text, YAML aliases that expand without bound) are skipped with a warning naming them.
The pack itself still reads what an EMR resource refers to (variables, locals, files, callers) from disk.
Checkov then starts only the frameworks whose runners read one of the files left.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

# Text that every input form holding an EMR security configuration or cluster contains: HCL and .tf.json
# resource types, plan JSON "type" values, CloudFormation / SAM / CDK "Type" values.
MARKERS = ("aws_emr_security_configuration", "aws_emr_cluster", "AWS::EMR::SecurityConfiguration", "AWS::EMR::Cluster")
# The files each framework's Checkov runner reads, by suffix (serverless reads serverless.yml: any YAML, to be safe;
# terraform also reads .tf.json files). A framework none of whose files is left is not started.
FRAMEWORK_SUFFIXES = {
    "terraform": (".tf", ".hcl", ".tf.json"),
    "terraform_json": (".tf.json",),
    "terraform_plan": (".json",),
    "cloudformation": (".json", ".yaml", ".yml", ".template"),
    "serverless": (".yaml", ".yml"),
}
TERRAFORM_SUFFIXES = (".tf", ".hcl", ".tf.json")
SCANNED_SUFFIXES = tuple(dict.fromkeys(s for suffixes in FRAMEWORK_SUFFIXES.values() for s in suffixes))
MAX_BYTES = 10 * 1024 * 1024  # far above CloudFormation's 1 MB template limit; Checkov takes minutes past it
MAX_YAML_EXPANSION = 100_000  # nodes YAML aliases may expand to; CloudFormation templates use none
SKIPPED_DIRS = {"node_modules", ".terraform", ".serverless"}
# A Terraform block that an EMR resource's count, for_each or module call can refer to (HCL, then JSON).
_DECLARATION = re.compile(r'(?m)^\s*(?:variable|locals|module|data)\b[^\n{=]*\{|"(?:variable|locals|module|data)"\s*:')
LOCAL_MODULE_SOURCE = re.compile(r"""["']?source["']?\s*[=:]\s*"(\.\.?/[^"]*)\"""")
_YAML_ANCHOR = re.compile(r"&([A-Za-z0-9_.\-]+)")
_YAML_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*([A-Za-z0-9_.\-]+)", re.M)


def _yaml_expansion(text: str) -> int:
    """About how many nodes the aliases of a YAML text expand to (an alias bomb: billions, from a kilobyte)."""
    anchors = list(_YAML_ANCHOR.finditer(text))
    sizes: dict[str, int] = {}
    for index, anchor in enumerate(anchors):  # an anchor's body runs to the next anchor; aliases refer back
        end = anchors[index + 1].start() if index + 1 < len(anchors) else len(text)
        refs = _YAML_ALIAS.findall(text, anchor.end(), end)
        sizes[anchor.group(1)] = min(1 + sum(sizes.get(ref, 1) for ref in refs), 10 * MAX_YAML_EXPANSION)
    return sum(sizes.get(ref, 1) for ref in _YAML_ALIAS.findall(text))


@dataclass
class Prescan:
    skip: set[str] = field(default_factory=set)  # absolute paths (files or folders) Checkov need not read
    kept: set[str] = field(default_factory=set)  # the files of SCANNED_SUFFIXES Checkov still reads
    unjudged: dict[str, str] = field(default_factory=dict)  # absolute path -> why it cannot be judged

    def skip_pattern(self) -> Optional[str]:
        """One --skip-path regex for all of them (Checkov applies every pattern to every path it walks)."""
        paths = sorted(self.skip | set(self.unjudged))
        return "^(?:" + "|".join(re.escape(p) for p in paths) + ")$" if paths else None


def _problem(path: str, size: int) -> tuple[Optional[str], str]:
    """(why the file cannot be judged, or None; its text)."""
    if size > MAX_BYTES:
        return f"larger than {MAX_BYTES // (1024 * 1024)} MB", ""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text", ""
    except OSError as error:
        return f"unreadable ({error.strerror})", ""
    if path.endswith((".yaml", ".yml")) and "*" in text and _yaml_expansion(text) > MAX_YAML_EXPANSION:
        return "YAML aliases that expand to more than 100,000 nodes (an alias bomb)", ""
    return None, text


def scan(root: str) -> Prescan:
    """Paths as Checkov walks them: under `root` as given on its command line."""
    result = Prescan()
    relevant: set[str] = set()  # files Checkov must read
    emr_folders: set[str] = set()  # Terraform folders with EMR resources
    terraform_files: dict[str, list[str]] = {}  # folder -> its Terraform files that declare or mention
    callers: dict[str, set[str]] = {}  # called folder -> calling folders
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in names:
            if not name.endswith(SCANNED_SUFFIXES):
                continue
            path = os.path.join(folder, name)
            try:
                size = os.stat(path).st_size
            except OSError:
                continue
            problem, text = _problem(path, size)
            if problem:
                result.unjudged[path] = problem
                continue
            mentions = any(marker in text for marker in MARKERS)
            if name.endswith(TERRAFORM_SUFFIXES):
                if mentions or _DECLARATION.search(text):
                    terraform_files.setdefault(folder, []).append(path)
                emr_folders.update([folder] if mentions else [])
                for source in LOCAL_MODULE_SOURCE.findall(text):
                    callers.setdefault(os.path.normpath(os.path.join(folder, source)), set()).add(folder)
            elif mentions:
                relevant.add(path)
    needed = set(emr_folders)
    pending = list(emr_folders)
    while pending:  # the folders that call them, up to the root modules
        for caller in callers.get(pending.pop(), ()):
            if caller not in needed:
                needed.add(caller)
                pending.append(caller)
    for folder in needed:
        relevant.update(terraform_files.get(folder, []))
    result.skip = _skippable(root, relevant)
    result.kept = relevant
    return result


def _skippable(root: str, relevant: set[str]) -> set[str]:
    """The largest folders (else files) under root that hold no relevant file."""
    keep_folders = {root}
    for path in relevant:
        folder = os.path.dirname(path)
        while len(folder) > len(root) and folder not in keep_folders:
            keep_folders.add(folder)
            folder = os.path.dirname(folder)
    skip: set[str] = set()
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        for directory in list(dirs):
            full = os.path.join(folder, directory)
            if full not in keep_folders:
                skip.add(full)
                dirs.remove(directory)
        skip.update(os.path.join(folder, n) for n in names
                    if n.endswith(SCANNED_SUFFIXES) and os.path.join(folder, n) not in relevant)
    return skip


def narrowed(arguments: list[str], roots: Iterable[str], warn: Callable[[str], None]) -> tuple[list[str], set[str]]:
    """Checkov's arguments with one --skip-path for what the scan does not need; the files it still reads."""
    combined = Prescan()
    for root in roots:
        found = scan(root)
        combined.skip |= found.skip
        combined.kept |= found.kept
        combined.unjudged.update(found.unjudged)
    for path, why in sorted(combined.unjudged.items()):
        warn(f"checkov-emr: not scanned: {path}: {why}")
    pattern = combined.skip_pattern()
    return (arguments + ["--skip-path", pattern] if pattern else arguments), combined.kept


def frameworks_reading(paths: Iterable[str], frameworks: Iterable[str]) -> list[str]:
    """Those of `frameworks` whose runner reads one of `paths` (a framework not in FRAMEWORK_SUFFIXES: kept)."""
    names = [os.path.basename(path) for path in paths]
    return [framework for framework in frameworks
            if framework not in FRAMEWORK_SUFFIXES or any(n.endswith(FRAMEWORK_SUFFIXES[framework]) for n in names)]


def judgeable_files(arguments: list[str], warn: Callable[[str], None]) -> list[str]:
    """Checkov's arguments without the `-f` files that cannot be judged (each named through `warn`)."""
    kept: list[str] = []
    skip_next = False
    for index, argument in enumerate(arguments):
        if skip_next:
            skip_next = False
            continue
        if argument in ("-f", "--file") and index + 1 < len(arguments):
            path = arguments[index + 1]
            try:
                problem = _problem(path, os.stat(path).st_size)[0]
            except OSError:
                problem = None  # Checkov reports a missing file itself
            if problem:
                warn(f"checkov-emr: not scanned: {path}: {problem}")
                skip_next = True
                continue
        kept.append(argument)
    return kept
