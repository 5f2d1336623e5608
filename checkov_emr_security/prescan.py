"""Decides, before Checkov starts, which files a scan needs and which it cannot judge.

Checkov parses every file of a repository, EMR or not, and hangs on some hostile input (a YAML alias bomb,
a template of many megabytes). `checkov-emr -d` first reads each candidate file as plain text (no parsing)
and lets Checkov skip what cannot hold or affect an EMR resource:
- files that name no EMR type, except serverless.yml files that include others with `${file(...)}`;
- Terraform folders without EMR resources, except those that call, as a module, a folder with EMR resources
  (Checkov names module resources through their callers; module folders outside the scanned folder or in
  folders Checkov does not walk are read too, since Checkov loads them through `source`);
- in the Terraform folders kept, the files made only of other resources and outputs that nothing kept
  refers to (`count = aws_ssm_parameter.x.value == "true" ? 1 : 0` keeps the parameter's file): a resource's
  count, for_each and module arguments can refer to variables, locals, data sources, modules, tfvars files
  and resources.
Files that cannot be judged (too large, binary, YAML aliases that expand without bound) are skipped with a
warning naming them, and reported to the channel for files the scan could not read (`emrsec.unread`:
CKV_EMRSEC_9 when they name an EMR type). The pack itself still reads what an EMR resource refers to from
disk. Checkov then starts only the frameworks whose runners read one of the files left. Each file read is
also handed to `left_out` and `unseen`, which name EMR resources Checkov leaves out or cannot see.
"""
from __future__ import annotations

import codecs
import functools
import os
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from checkov_emr_security import import_pack, standalone

import_pack()
from emrsec.documents import serverless  # noqa: E402  (Checkov's CKV_SLS_FILE_MASK, read in one place)
from emrsec.state_machines import MENTION as CREATE_CLUSTER  # noqa: E402

# Text that every input form holding an EMR security configuration or cluster contains: HCL and .tf.json
# resource types, plan JSON "type" values, CloudFormation / SAM / CDK "Type" values; and a Step Functions state
# machine, which may launch a cluster from a definition kept in another file (`templatefile()`).
MARKERS = ("aws_emr_security_configuration", "aws_emr_cluster", "AWS::EMR::SecurityConfiguration", "AWS::EMR::Cluster",
           "aws_sfn_state_machine", "AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine",
           CREATE_CLUSTER)
# The files each framework's Checkov runner reads, by suffix (serverless reads serverless.yml: any YAML, to be safe;
# terraform also reads .tf.json files). A framework none of whose files is left is not started.
FRAMEWORK_SUFFIXES = {
    "terraform": (".tf", ".hcl", ".tf.json"),
    "terraform_json": (".tf.json",),
    "terraform_plan": (".json",),
    "cloudformation": (".json", ".yaml", ".yml", ".template"),
    "serverless": (".yaml", ".yml"),
}
TERRAFORM_SUFFIXES = (".tf", ".hcl", ".tf.json", ".tfvars.json")
SCANNED_SUFFIXES = tuple(dict.fromkeys(s for suffixes in FRAMEWORK_SUFFIXES.values() for s in suffixes))
MAX_BYTES = 10 * 1024 * 1024  # far above CloudFormation's 1 MB template limit; Checkov takes minutes past it
MAX_YAML_EXPANSION = 100_000  # nodes YAML aliases may expand to; CloudFormation templates use none
MAX_MODULE_FOLDERS = 1_000  # module folders outside the walk that are read to find EMR resources
# Checkov's own folder filter (checkov/common/runners/base_runner.py), with the same environment variables.
IGNORED_DIRECTORIES = os.environ.get("CKV_IGNORED_DIRECTORIES", "node_modules,.terraform,.serverless").split(",")
IGNORE_HIDDEN_DIRECTORIES = os.environ.get("CKV_IGNORE_HIDDEN_DIRECTORIES", "true").strip().lower() not in (
    "n", "no", "f", "false", "off", "0")
# A Terraform block that an EMR resource's count, for_each or module call can refer to (HCL, then JSON).
_DECLARATION = re.compile(r'(?m)(?:^|[};]|\*/)[ \t]*(?:variable|locals|module|data)\b[^\n{=]*\{'
                          r'|"(?:variable|locals|module|data)"\s*:')
_REFERENCE = re.compile(r"\b([A-Za-z][\w-]*)\.([A-Za-z_][\w-]*)")  # type.name, as a resource is referred to
_NOT_RESOURCES = {"var", "local", "each", "count", "path", "module", "data", "self", "terraform"}
_WORD = re.compile(r"[\w-]+")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|\r?\n[ \t]*)")
# A local module source: HCL, JSON (whose slashes may be escaped), in parentheses (an expression), with a comment
# around `=`. It starts with the literal, which Python's regex scans for fast.
_LOCAL_MODULE_SOURCE = re.compile(r"""source["']?\s*(?:/\*[^*]*\*/\s*)?[=:]\s*(?:/\*[^*]*\*/\s*)?\(?\s*"(\.\.?\\?/[^"]*)\"""")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
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


@dataclass(frozen=True)
class Problem:
    """Why a file cannot be judged, and what the user can do about it."""

    why: str
    fix: str

    def __str__(self) -> str:
        return self.why


TOO_LARGE = Problem(f"larger than {MAX_BYTES // (1024 * 1024)} MB",
                    "split the file (CloudFormation itself takes templates of at most 1 MB)")
BINARY = Problem("binary content, not UTF-8 text", "save the file as UTF-8 text")
ALIAS_BOMB = Problem("YAML aliases that expand to more than 100,000 nodes (an alias bomb)",
                     "write the YAML out without nested aliases")


@dataclass
class Prescan:
    skip: set[str] = field(default_factory=set)  # absolute paths (files or folders) Checkov need not read
    kept: set[str] = field(default_factory=set)  # the files of SCANNED_SUFFIXES Checkov still reads
    unjudged: dict[str, Problem] = field(default_factory=dict)  # path -> why it cannot be judged

    def skip_pattern(self) -> Optional[str]:
        """One --skip-path regex for all of them (Checkov applies every pattern to every path it walks)."""
        # Checkov's Terraform runner matches absolute paths, the others paths under the root as given.
        paths = sorted({form for path in self.skip | set(self.unjudged) for form in (path, os.path.abspath(path))})
        return "^(?:" + "|".join(re.escape(p) for p in paths) + ")$" if paths else None


def decoded(raw: bytes) -> Optional[str]:
    """The text as Checkov's parsers read it (a byte-order mark, else UTF-8, else a single-byte encoding);
    None for binary content (NUL bytes without a byte-order mark)."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None if b"\x00" in raw else raw.decode("latin-1")


def _unescaped(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2) or match.group(3)
    return chr(min(int(code, 16), 0x10FFFF)) if code else ""


def mentions_emr(text: str) -> bool:
    """Whether the text names an EMR type, also when written with JSON, YAML or HCL escapes."""
    if any(marker in text for marker in MARKERS):
        return True
    return "\\" in text and any(marker in _ESCAPE.sub(_unescaped, text) for marker in MARKERS)


def _problem(path: str, size: int) -> tuple[Optional[Problem], str]:
    """(why the file cannot be judged, or None; its text)."""
    if size > MAX_BYTES:
        return TOO_LARGE, ""
    try:
        with open(path, "rb") as handle:
            text = decoded(handle.read())
    except OSError as error:
        return Problem(f"unreadable ({error.strerror})", "make the file readable to the scan"), ""
    if text is None:
        return BINARY, ""
    if path.endswith((".yaml", ".yml")) and "*" in text and _yaml_expansion(text) > MAX_YAML_EXPANSION:
        return ALIAS_BOMB, ""
    return None, text


_MARKER_BYTES = tuple(marker.encode(codec) for marker in MARKERS for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def names_emr(path: str) -> bool:
    """Whether a file names an EMR type, also one that cannot be judged: a binary or too large file's bytes
    are searched, a chunk at a time."""
    overlap = max(len(form) for form in _MARKER_BYTES)
    try:
        with open(path, "rb") as handle:
            chunk = handle.read(MAX_BYTES + 1)
            text = decoded(chunk) if len(chunk) <= MAX_BYTES else None
            if text is not None:
                return mentions_emr(text)
            while chunk:
                if any(form in chunk for form in _MARKER_BYTES):
                    return True
                following = handle.read(MAX_BYTES)
                chunk = chunk[-overlap:] + following if following else b""
    except OSError:
        return False
    return False


def walked(dirs: list[str]) -> list[str]:
    """The sub-folders Checkov walks into."""
    return [d for d in dirs if d not in IGNORED_DIRECTORIES and not (IGNORE_HIDDEN_DIRECTORIES and d.startswith("."))]


def terraform_files(folder: str) -> list[str]:
    """The names of a folder's Terraform configuration files (.tf, .tf.json), sorted; none if unreadable."""
    try:
        return sorted(name for name in os.listdir(folder or ".") if name.endswith((".tf", ".tf.json"))
                      and os.path.isfile(os.path.join(folder, name)))
    except OSError:
        return []


def called_folders(folder: str, text: str) -> list[str]:
    """The folders a Terraform file of `folder` calls as local modules."""
    if "source" not in text:  # most files: a substring search is much faster than the regex
        return []
    return [os.path.normpath(os.path.join(folder, source.replace("\\/", "/")))
            for source in _LOCAL_MODULE_SOURCE.findall(text)]


def _judgeable_text(path: str) -> str:
    """The file's text; empty when it cannot be read or judged."""
    try:
        problem, text = _problem(path, os.path.getsize(path))
    except OSError:
        return ""
    return "" if problem else text


@dataclass
class _TerraformFile:
    """A Terraform file of the walk: its text is read again only if its folder is kept (few are)."""

    path: str
    mentions: bool
    declares: bool

    def needed_alone(self) -> bool:
        """Whether Checkov needs it whatever else the folder holds."""
        return self.mentions or self.declares or self.path.endswith((".tf.json", ".tfvars.json"))

    @functools.cached_property
    def text(self) -> str:
        return _judgeable_text(self.path)

    @functools.cached_property
    def words(self) -> set[str]:
        return set(_WORD.findall(self.text))


def _references(files: Iterable[_TerraformFile]) -> set[tuple[str, str]]:
    return {(kind, name) for f in files for kind, name in _REFERENCE.findall(f.text) if kind not in _NOT_RESOURCES}


def _needed(files: list[_TerraformFile]) -> list[str]:
    """A kept folder's files Checkov needs: those that name an EMR type or declare what a resource can refer
    to, and the files that may define a resource those refer to (both words of a `type.name` in it, however
    its labels are written), and so on."""
    kept = [f for f in files if f.needed_alone()]
    rest = [f for f in files if not f.needed_alone()]
    referenced = _references(kept)
    while rest:
        referred = [f for f in rest if any(kind in f.words and name in f.words for kind, name in referenced)]
        if not referred:
            break
        kept += referred
        rest = [f for f in rest if f not in referred]
        referenced |= _references(referred)
    return [f.path for f in kept]


def _folder_mentions(folder: str) -> tuple[bool, list[str]]:
    """(whether a module folder outside the walk names an EMR type, the local modules it calls)."""
    texts = [_judgeable_text(os.path.join(folder, name)) for name in terraform_files(folder)]
    return any(mentions_emr(text) for text in texts), [called for text in texts for called in called_folders(folder, text)]


def _read_for_the_scan(path: str, text: str, downloads: bool) -> bool:
    """Whether a file the scan reads names an EMR type or calls a remote EMR module (its folder is then kept:
    Checkov downloads the module when asked to); hands its text to what names resources Checkov leaves out or
    cannot see."""
    from checkov_emr_security import left_out, unseen

    mentions = mentions_emr(text)
    if mentions or serverless(path):
        left_out.inspect(path, text)
    unseen.note(path, text, downloads)
    return mentions or (path.endswith(TERRAFORM_SUFFIXES) and bool(unseen.remote_emr_modules(path, text)))


def scan(root: str, downloads: bool = False) -> Prescan:
    """Paths as Checkov walks them: under `root` as given on its command line."""
    result = Prescan()
    relevant: set[str] = set()  # files Checkov must read
    emr_folders: set[str] = set()  # Terraform folders with EMR resources
    terraform_files: dict[str, list[_TerraformFile]] = {}
    callers: dict[str, set[str]] = {}  # called folder -> calling folders
    for folder, dirs, names in os.walk(root):
        dirs[:] = walked(dirs)
        terraform_files.setdefault(os.path.normpath(folder), [])
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
            if standalone.consider(path, text):  # judged by checkov-emr after Checkov's runners
                continue
            mentions = _read_for_the_scan(path, text, downloads)
            if name.endswith(TERRAFORM_SUFFIXES):
                terraform_files[os.path.normpath(folder)].append(
                    _TerraformFile(path, mentions, bool(_DECLARATION.search(text))))
                emr_folders.update([os.path.normpath(folder)] if mentions else [])
                for called in called_folders(folder, text):
                    callers.setdefault(called, set()).add(os.path.normpath(folder))
            elif mentions or (serverless(name) and "${file(" in text):
                relevant.add(path)
    _add_unwalked_modules(terraform_files, emr_folders, callers)
    needed = set(emr_folders)
    pending = list(emr_folders)
    while pending:  # the folders that call them, up to the root modules
        for caller in callers.get(pending.pop(), ()):
            if caller not in needed:
                needed.add(caller)
                pending.append(caller)
    for folder in needed:
        relevant.update(_needed(terraform_files.get(folder, [])))
    result.skip = _skippable(root, relevant)
    result.kept = relevant
    return result


def _add_unwalked_modules(walked_folders: dict[str, list[_TerraformFile]], emr_folders: set[str],
                          callers: dict[str, set[str]]) -> None:
    """Reads the module folders the walk did not enter (outside the root, ignored or hidden folders: Checkov
    loads them through `source`), adding those with EMR resources and the calls they make."""
    pending = [folder for folder in callers if folder not in walked_folders]
    seen: set[str] = set()
    while pending and len(seen) < MAX_MODULE_FOLDERS:
        folder = pending.pop()
        if folder in seen or folder in walked_folders:
            continue
        seen.add(folder)
        mentions, calls = _folder_mentions(folder)
        if mentions:
            emr_folders.add(folder)
        for called in calls:
            callers.setdefault(called, set()).add(folder)
            pending.append(called)


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
        dirs[:] = walked(dirs)
        for directory in list(dirs):
            full = os.path.join(folder, directory)
            if full not in keep_folders:
                skip.add(full)
                dirs.remove(directory)
        skip.update(os.path.join(folder, n) for n in names
                    if n.endswith(SCANNED_SUFFIXES) and os.path.join(folder, n) not in relevant)
    return skip


def _not_scanned(path: str, problem: Problem, warn: Callable[[str], None]) -> None:
    from emrsec import unread

    warn(f"checkov-emr: not scanned: {path}: {problem}")
    unread.report(path, f"is not scanned: {problem.why}", problem.fix)


def downloads_modules(arguments: list[str]) -> bool:
    """Whether Checkov is told to download remote Terraform modules."""
    from emrsec.sources import option_values

    values = option_values(arguments, "--download-external-modules")
    return bool(values) and values[-1].strip().lower() in ("true", "yes", "1")


def narrowed(arguments: list[str], roots: Iterable[str], warn: Callable[[str], None]) -> tuple[list[str], set[str]]:
    """Checkov's arguments with one --skip-path for what the scan does not need; the files it still reads."""
    combined = Prescan()
    for root in roots:
        found = scan(root, downloads_modules(arguments))
        combined.skip |= found.skip
        combined.kept |= found.kept
        combined.unjudged.update(found.unjudged)
    for path, problem in sorted(combined.unjudged.items()):
        _not_scanned(path, problem, warn)
    pattern = combined.skip_pattern()
    return (arguments + ["--skip-path", pattern] if pattern else arguments), combined.kept


def frameworks_reading(paths: Iterable[str], frameworks: Iterable[str]) -> list[str]:
    """Those of `frameworks` whose runner reads one of `paths` (a framework not in FRAMEWORK_SUFFIXES: kept)."""
    names = [os.path.basename(path) for path in paths]
    return [framework for framework in frameworks
            if framework not in FRAMEWORK_SUFFIXES or any(n.endswith(FRAMEWORK_SUFFIXES[framework]) for n in names)]


def judgeable_files(arguments: list[str], warn: Callable[[str], None]) -> list[str]:
    """Checkov's arguments without the `-f` files that cannot be judged (each named through `warn`)."""
    from emrsec.sources import option_spans, option_values

    def judgeable(path: str) -> bool:
        try:
            problem, text = _problem(path, os.stat(path).st_size)
        except OSError:
            return True  # Checkov reports a missing file itself
        if problem:
            _not_scanned(path, problem, warn)
            return False
        if standalone.consider(path, text):  # judged by checkov-emr after Checkov's runners
            return False
        _read_for_the_scan(path, text, downloads_modules(arguments))
        return True

    files = [path for path in option_values(arguments, "-f", "--file") if judgeable(path)]
    used = {i for start, end in option_spans(arguments, "-f", "--file") for i in range(start, end)}
    return [a for i, a in enumerate(arguments) if i not in used] + (["-f", *files] if files else [])
