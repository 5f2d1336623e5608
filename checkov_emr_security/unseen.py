"""EMR resources `checkov-emr` knows exist but cannot judge: warnings (not findings) on stderr and in the JSON
and SARIF outputs.

- A CDK app (`cdk.json`) whose sources use the EMR constructs, without the synthesized templates (`cdk.out`,
  or cdk.json's `output`) to scan: `cdk synth` first. The same for a CDKTF app (`cdktf.json`, `cdktf.out`).
- A remote Terraform module call (registry, git, URL) that Checkov does not download and whose name or
  source says EMR (`terraform-aws-modules/emr/aws`, `module "emr_cluster"`): any other remote module would
  be a warning on nearly every repository, and rarely holds an EMR resource.

The prescan hands every file it reads to `note`; `warnings()` then checks the CDK apps' sources.
"""
from __future__ import annotations

import json
import os
import re
from typing import Optional

from checkov_emr_security import import_pack, prescan

import_pack()
from emrsec.sources import scan_roots  # noqa: E402  (the pack's folder is importable from here on)
from emrsec.undecided import Notice  # noqa: E402

APPS = {"cdk.json": ("cdk.out", "cdk synth"), "cdktf.json": ("cdktf.out", "cdktf synth")}
# How a CDK (any language) or CDKTF source names the EMR constructs or provider resources.
_CDK_EMR = re.compile(r"(?i)\baws[-_.]?emr(?![a-z0-9])|\bservices\.emr\b|\bEmrCreateCluster\b"  # aws_emr_launch too
                      r"|elasticmapreduce:createCluster")
_CDKTF_EMR = re.compile(r"(?i)\bemr[-_]?(?:cluster|security[-_]?configuration)\b|\baws_emr_"
                        r"|elasticmapreduce:createCluster")
_SOURCE_SUFFIXES = (".ts", ".js", ".mjs", ".py", ".java", ".cs", ".go", ".kt")
_SOURCE_FOLDERS_SKIPPED = {"cdk.out", "cdktf.out", "build", "dist", "target", "obj", "__pycache__"}  # and walked()'s
MAX_SOURCE_FILES = 2_000
MAX_SOURCE_BYTES = 1024 * 1024
_MODULE = re.compile(r'(?m)^[ \t]*module[ \t]+"?(?P<name>[\w-]+)"?[ \t]*\{')
_SOURCE = re.compile(r'(?m)(?:^|\{)[ \t]*source[ \t]*=[ \t]*"(?P<source>[^"]*)"')  # one-line blocks too
_BLOCK_END = re.compile(r"(?m)^\}")
_EMR_WORD = re.compile(r"(?i)(?<![a-z])emr(?![a-z])")


_APPS: dict[str, str] = {}  # app folder -> its manifest name (cdk.json, cdktf.json)
_MODULES: list[Notice] = []
_NOTED: Optional[list[Notice]] = None


def _local(source: str) -> bool:
    return source.startswith(("./", "../", "/")) or source in (".", "..")


def _read(path: str) -> str:
    """A source file's first MAX_SOURCE_BYTES, decoded as the prescan decodes ("" if unreadable or binary)."""
    try:
        with open(path, "rb") as handle:
            return prescan.decoded(handle.read(MAX_SOURCE_BYTES)) or ""
    except OSError:
        return ""


def _module_calls(path: str, text: str) -> list[tuple[str, str, int]]:
    """(name, source, line) of each module call of a .tf or .tf.json file."""
    if path.endswith(".json"):
        try:
            modules = json.loads(text).get("module", {})
        except (ValueError, AttributeError):
            return []
        blocks = modules if isinstance(modules, list) else [modules]
        return [(name, str(body.get("source", "")), 1) for block in blocks if isinstance(block, dict)
                for name, body in block.items() if isinstance(body, dict)]
    calls = []
    for match in _MODULE.finditer(text):
        end = _BLOCK_END.search(text, match.end())
        source = _SOURCE.search(text, match.end() - 1, end.start() if end else len(text))  # from its "{"
        if source:
            calls.append((match.group("name"), source.group("source"), text.count("\n", 0, match.start()) + 1))
    return calls


def remote_emr_modules(path: str, text: str) -> list[tuple[str, str, int]]:
    """The file's remote module calls whose name or source says EMR."""
    if "module" not in text:
        return []
    return [(name, source, line) for name, source, line in _module_calls(path, text)
            if source and not _local(source) and _EMR_WORD.search(f"{name} {source}")]


def note(path: str, text: str, downloads: bool) -> None:
    """Takes in one file the scan reads (its text as the prescan read it)."""
    name = os.path.basename(path)
    if name in APPS:
        _APPS[os.path.dirname(path)] = name
    elif name.endswith((".tf", ".tf.json")) and not downloads:
        _MODULES.extend(Notice(path, line, f'module "{module}" ({source}) is not downloaded, so the EMR resources '
                                            "it may define are not judged: add --download-external-modules true "
                                            "(or scan the plan: terraform show -json)")
                        for module, source, line in remote_emr_modules(path, text))


def _output_folder(app: str, manifest: str) -> str:
    try:
        with open(os.path.join(app, manifest), encoding="utf-8") as handle:
            output = json.load(handle).get("output")
    except (OSError, ValueError, AttributeError):
        output = None
    return os.path.join(app, output if isinstance(output, str) and output else APPS[manifest][0])


def _walked_by_the_scan(folder: str) -> bool:
    """Whether the folder lies in a scanned folder, on a path Checkov walks (no hidden or ignored folder)."""
    real = os.path.realpath(folder)
    for root in map(os.path.realpath, scan_roots()):
        if os.path.commonpath([root, real]) == root:
            parts = os.path.relpath(real, root).split(os.sep)
            if all(part == "." or prescan.walked([part]) for part in parts):
                return True
    return False


def _synthesis_problem(output: str, command: str) -> Optional[str]:
    """Why an app's synthesized templates do not show its EMR resources to the scan; None when they do."""
    synthesized = [os.path.join(folder, name) for folder, _, names in os.walk(output) for name in names
                   if name.endswith((".template.json", ".tf.json"))]
    if not synthesized:
        return f"has no synthesized {os.path.basename(output)}/ to scan: run `{command}` before the scan"
    if not _walked_by_the_scan(output):
        return f"synthesizes into {output}, which this scan does not read: scan it with -d {output}"
    if not any(prescan.mentions_emr(_read(path)) for path in synthesized):
        return f"its synthesized {os.path.basename(output)}/ holds none of them: run `{command}` again before the scan"
    return None


def _emr_source(app: str, manifest: str) -> Optional[str]:
    """The first source file of the app that uses EMR constructs (bounded: an app's sources are few)."""
    pattern = _CDK_EMR if manifest == "cdk.json" else _CDKTF_EMR
    seen = 0
    for folder, dirs, names in os.walk(app):
        dirs[:] = sorted(d for d in prescan.walked(dirs) if d not in _SOURCE_FOLDERS_SKIPPED)
        for name in sorted(names):
            if not name.endswith(_SOURCE_SUFFIXES) or name.endswith(".d.ts"):
                continue
            seen += 1
            if seen > MAX_SOURCE_FILES:
                return None
            path = os.path.join(folder, name)
            if pattern.search(_read(path)):
                return path
    return None


MAX_FOLLOWED = 64  # module folders followed from one file given with -f


def note_given_files(files: list[str]) -> None:
    """Terraform files given with -f whose local modules (and theirs) hold EMR resources not given too:
    Checkov follows no module call of a file scanned alone, so those resources are not judged."""
    given = {os.path.realpath(path) for path in files}
    for path in files:
        if not path.endswith((".tf", ".tf.json")):
            continue
        pending, seen, unjudged = prescan.called_folders(os.path.dirname(path), _read(path)), set(), []
        while pending and len(seen) < MAX_FOLLOWED and not unjudged:
            folder = pending.pop()
            if folder in seen:
                continue
            seen.add(folder)
            for name in prescan.terraform_files(folder):
                module_file = os.path.join(folder, name)
                text = _read(module_file)
                if prescan.mentions_emr(text) and os.path.realpath(module_file) not in given:
                    unjudged.append(module_file)
                pending += prescan.called_folders(folder, text)
        if unjudged:
            _MODULES.append(Notice(path, 1, f"its local module {unjudged[0]} holds EMR resources that a scan of this "
                                            "file alone does not judge (Checkov follows no module with -f): scan "
                                            "its folder with -d"))


def warnings() -> list[Notice]:
    """Every warning of the scan, computed once."""
    global _NOTED
    if _NOTED is None:
        _NOTED = list(_MODULES)
        for app, manifest in sorted(_APPS.items()):
            output, command = _output_folder(app, manifest), APPS[manifest][1]
            problem = _synthesis_problem(output, command)
            source = _emr_source(app, manifest) if problem else None
            if source:
                _NOTED.append(Notice(os.path.join(app, manifest), 1,
                                      f"the app defines EMR resources ({source}) but {problem}"))
    return _NOTED
