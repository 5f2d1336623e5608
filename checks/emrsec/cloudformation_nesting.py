"""Which template nests a CloudFormation template, and the parameters that parent passes it.

A nested stack (`AWS::CloudFormation::Stack` with a local `TemplateURL`, as `aws cloudformation package`
takes it; SAM's `AWS::Serverless::Application` with a local `Location`; CDK's `*.nested.template.json`, named
through the cloud assembly's `*.assets.json`) gets its parameters from its parent: the child's defaults apply
only to parameters the parent does not pass. Parents are searched for in the project (the git work tree,
else the scanned folder), wherever they live.
"""
from __future__ import annotations

import collections
import functools
import json
import os
from typing import Any

from checkov.cloudformation import parser as cloudformation_parser

from emrsec.cloudformation_input import Template, resolve_parameter
from emrsec.sources import MAX_FILE_BYTES, project_root, scan_roots
from emrsec.values import Unresolved

TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
_NESTING_TYPES = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")
_SKIPPED_DIRS = {"node_modules", ".git", ".serverless", ".terraform"}
MAX_TEMPLATES = 5_000  # template files read (as text) to find the parents of one project's templates


@functools.lru_cache(maxsize=8)
def _project_templates(project: str) -> tuple[tuple[str, ...], collections.Counter[str]]:
    """The templates of the project that nest another one (a text search, no parsing), and how many templates
    bear each file name."""
    found = []
    names_seen: collections.Counter[str] = collections.Counter()
    read = 0
    for folder, dirs, names in os.walk(project):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(folder, name)
            if not name.endswith(TEMPLATE_SUFFIXES) or read >= MAX_TEMPLATES:
                continue
            read += 1
            names_seen[name] += 1
            try:
                if os.path.getsize(path) > 10 * MAX_FILE_BYTES:
                    continue
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            if any(kind in text for kind in _NESTING_TYPES):
                found.append(path)
    return tuple(found), names_seen


@functools.lru_cache(maxsize=64)
def parse(path: str) -> Any:
    """A template as written (Checkov's parser, no substitutions); None when it cannot be parsed."""
    try:
        document, _ = cloudformation_parser.parse(path)
    except Exception:  # Checkov's parser rejects it (a duplicate key): the caller decides what that means
        return None
    return document


def _asset_sources(folder: str) -> dict[str, str]:
    """CDK's cloud assembly: the object key a nested template is uploaded as -> its file in `folder`."""
    sources: dict[str, str] = {}
    for name in os.listdir(folder):
        if not name.endswith(".assets.json"):
            continue
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                files = json.load(handle).get("files", {})
        except (OSError, ValueError, AttributeError):
            continue
        for asset in files.values() if isinstance(files, dict) else []:
            source = asset.get("source", {}).get("path") if isinstance(asset, dict) else None
            for destination in (asset.get("destinations") or {}).values() if isinstance(source, str) else []:
                key = destination.get("objectKey") if isinstance(destination, dict) else None
                if isinstance(key, str):
                    sources[key] = os.path.join(folder, source)
    return sources


_EXACTLY, _BY_NAME = "exactly", "by file name"
_UNKNOWN_PARENT: dict[str, Any] = {"": "a parent stack that cannot be parsed"}


def _nests(parent: str, properties: dict[str, Any], child: str) -> str:
    """How a nesting resource's TemplateURL / Location names the child template: exactly (a local path, a CDK
    asset), by file name only (an S3 URL ending with it), or not ('')."""
    location = properties.get("TemplateURL", properties.get("Location"))
    folder = os.path.dirname(parent)
    if isinstance(location, str) and "://" not in location:
        return _EXACTLY if os.path.realpath(os.path.join(folder, location)) == child else ""
    texts = _strings(location)  # an S3 URL, also one built with Fn::Join / Fn::Sub: its last part names the file
    key = texts[-1].rsplit("/", 1)[-1] if texts else ""
    if key and os.path.realpath(_asset_sources(folder).get(key, "")) == child:
        return _EXACTLY
    if not (any("://" in text for text in texts) and key == os.path.basename(child)):
        return ""
    folder_in_url = texts[-1].rsplit("/", 2)[-2] if texts[-1].count("/") >= 2 else ""  # .../nestedapp/emr.yaml
    return _EXACTLY if folder_in_url == os.path.basename(os.path.dirname(child)) else _BY_NAME


def _strings(node: Any, depth: int = 0) -> list[str]:
    """The strings in a property, in order (Checkov's injected position keys left out)."""
    if isinstance(node, str):
        return [node]
    if depth > 16:
        return []
    if isinstance(node, dict):
        return [s for k, v in node.items() if not str(k).startswith("__") for s in _strings(v, depth + 1)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v, depth + 1)]
    return []


def _passed(parent: str, child: str, depth: int) -> list[dict[str, Any]]:
    """The Parameters each nesting resource of `parent` that nests `child` passes, resolved in the parent."""
    document = parse(parent)
    if document is None:  # a parent that names the child but cannot be parsed: what it passes is not known
        return [_UNKNOWN_PARENT]
    resources = document.get("Resources") if isinstance(document, dict) else None
    passed = []
    for resource in (resources.values() if isinstance(resources, dict) else []):
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if resource.get("Type") not in _NESTING_TYPES or not isinstance(properties, dict):
            continue
        how = _nests(parent, properties, child)
        if not how:
            continue
        parameters = properties.get("Parameters") if isinstance(properties.get("Parameters"), dict) else {}
        if how == _BY_NAME and _project_templates(project_root(os.path.dirname(child)))[1][os.path.basename(child)] > 1:
            # the URL may name another template of the same file name: what it passes is not known to be ours
            passed.append({name: Unresolved(f"!Ref {name}, passed by {os.path.basename(parent)}, whose TemplateURL "
                                            "names a file name several templates of the project bear")
                           for name in parameters})
            continue
        context = context_of(parent, depth + 1)
        values = {name: resolve_parameter(value, context) for name, value in parameters.items()}
        passed.append({name: value for name, value in values.items() if value is not None})  # None: AWS::NoValue
    return passed


@functools.lru_cache(maxsize=64)
def context_of(path: str, depth: int = 0) -> Template:
    """What a template's properties refer to: its parameters as its parent passes them (or its defaults when it
    is not nested), and its mappings."""
    child = os.path.realpath(path)
    document = parse(path)
    if depth > 8:  # nesting deeper than CloudFormation's own limit: values unknown
        return Template.from_document(document, path=path, passed=[{}], parent_known=False)
    roots = {project_root(root) for root in scan_roots()} | {project_root(os.path.dirname(child))}
    passed = [values for project in sorted(roots) for parent in _project_templates(project)[0]
              if os.path.realpath(parent) != child and _may_nest(parent, child)
              for values in _passed(parent, child, depth)]
    if _UNKNOWN_PARENT in passed:
        return Template.from_document(document, path=path, passed=[{}], parent_known=False)
    if passed:
        return Template.from_document(document, path=path, passed=passed)
    if child.endswith(".nested.template.json"):  # CDK nested stack whose parent is not in the scan
        return Template.from_document(document, path=path, passed=[{}], parent_known=False)
    return Template.from_document(document, path=path)


def _may_nest(parent: str, child: str) -> bool:
    """A text test before parsing: the parent names the child, or is beside a CDK nested template it may name
    by the object key of its asset."""
    return os.path.basename(child) in _text(parent) or (
        child.endswith(".nested.template.json") and os.path.dirname(os.path.realpath(parent)) == os.path.dirname(child))


@functools.lru_cache(maxsize=256)
def _text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""

