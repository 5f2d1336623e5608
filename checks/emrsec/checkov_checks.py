"""Checkov check classes rendered from the catalog: one per check id and framework, all deciding via `policy`."""
from __future__ import annotations

import logging
import os
import re
from dataclasses import replace
from typing import Any, Callable, Optional

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck as CfnResourceCheck
from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as TfResourceCheck

from emrsec import cloudformation_input, cloudformation_nesting, documents, terraform_input, undecided
from emrsec.catalog import (BY_ID, CLOUDFORMATION_RESOURCES, CLUSTER, CLUSTER_NAMED, RESOURCE_CHECKS,
                            TERRAFORM_RESOURCES, CheckSpec)
from emrsec.cloudformation_project import CloudFormationProject
from emrsec.policy import NOT_CREATED, Outcome, Verdict, evaluate, evaluate_keys, evaluate_launches, used_by
from emrsec.sources import candidates
from emrsec.values import Variant

_RESULTS = {Outcome.PASSED: CheckResult.PASSED, Outcome.FAILED: CheckResult.FAILED,
            Outcome.UNKNOWN: CheckResult.UNKNOWN}
Reader = Callable[[dict[str, Any], str], tuple[list[Variant], str]]  # the variants, the address in its unit


class _Verdicts:
    """All of a resource's verdicts, computed once for the checks that run on it one after another."""

    def __init__(self) -> None:
        self._key: tuple[Any, ...] = ()
        self._verdicts: dict[int, Verdict] = {}

    def get(self, conf: dict[str, Any], entity_path: str, spec: CheckSpec, read: Reader) -> Verdict:
        key = (conf, entity_path, read)
        if self._key and self._key[0] is conf and self._key[1:] == key[1:]:
            return self._verdicts[spec.number]
        try:
            variants, address = read(conf, entity_path)
            self._verdicts = evaluate_launches(variants) if spec.resource == CLUSTER else _configuration(variants, address)
        except Exception as error:  # a bug must not become a silent pass: unknown where that is visible, else failed
            logging.warning("checkov-emr-security could not evaluate %s", entity_path, exc_info=True)
            reason = f"could not be evaluated ({type(error).__name__}: {error}); please report this input"
            self._verdicts = {s.number: Verdict(Outcome.UNKNOWN, "configuration", reason) for s in RESOURCE_CHECKS}
            for visible in (BY_ID["CKV_EMRSEC_7"], CLUSTER_NAMED):  # the checks that fail where others cannot decide
                self._verdicts[visible.number] = Verdict(Outcome.FAILED, "configuration", reason)
        self._key = key
        return self._verdicts[spec.number]


def _configuration(variants: list[Variant], address: str) -> dict[int, Verdict]:
    """Checks 1-7 and 11; a failure of 1-7 names the clusters that use the configuration (re-created after a fix)."""
    verdicts = evaluate(variants)
    if any(v.outcome is Outcome.FAILED for v in verdicts.values()):
        users = list(dict.fromkeys(user for project in dict.fromkeys(v.project for v in variants if v.project)
                                   for user in project.users_of(address)))
        verdicts = {number: used_by(verdict, users) for number, verdict in verdicts.items()}
    verdicts[11] = evaluate_keys(variants)
    return verdicts


_VERDICTS = _Verdicts()


def _terraform_resource(conf: dict[str, Any], entity_path: str) -> tuple[Optional[terraform_input.Location], str]:
    """Where the resource's source is, and its address (.tf.json resources come without `__address__`)."""
    scanned, resource_type, name = entity_path.rsplit(":", 2)
    start_line = conf.get("__start_line__", conf.get("__startline__"))
    address = str(conf.get("__address__") or f"{resource_type}.{name}")
    return terraform_input.location_of(candidates(scanned), start_line), address


def _local_address(address: str) -> str:
    """`module.a.aws_x.y[0]` -> `aws_x.y`: the resource as its own module names it."""
    return ".".join(re.sub(r"\[[^\]]*\]$", "", address).split(".")[-2:])


def _read_terraform(conf: dict[str, Any], entity_path: str) -> tuple[list[Variant], str]:
    location, address = _terraform_resource(conf, entity_path)
    return terraform_input.security_configuration(conf, location, address), _local_address(address)


def _read_terraform_launches(conf: dict[str, Any], entity_path: str) -> tuple[list[Variant], str]:
    location, address = _terraform_resource(conf, entity_path)
    resource_type = entity_path.rsplit(":", 2)[1]
    return terraform_input.launching(conf, location, address, resource_type), _local_address(address)




def _cloudformation_properties(conf: dict[str, Any], entity_path: str) -> tuple[Any, cloudformation_input.Template]:
    """The resource's Properties as written in its template; Checkov's (substituted) copy if it is not found."""
    scanned, logical_id = entity_path.split(f":{conf.get('Type')}:", 1)[0], entity_path.rsplit(":", 1)[-1]
    found = candidates(scanned)
    if len(found) == 1:
        document, template = cloudformation_nesting.parse(found[0][0]), cloudformation_nesting.context_of(found[0][0])
        resources = document.get("Resources") if isinstance(document, dict) else None
        resource = resources.get(logical_id) if isinstance(resources, dict) else None
        if isinstance(resource, dict) and resource.get("Type") == conf.get("Type"):
            return resource.get("Properties", {}), template
        return _substituted(conf, scanned, document, logical_id), template
    return _substituted(conf, scanned, None, logical_id), cloudformation_input.Template()


def _substituted(conf: dict[str, Any], scanned: str, document: Any, logical_id: str) -> Any:
    """Checkov's copy of the Properties; in a serverless.yml Checkov substituted the variables it could resolve,
    and `document` (the file as written) says which values came from variables."""
    if not documents.serverless(scanned):
        return conf.get("Properties", {})
    written: Any = document
    for key in ("resources", "Resources", logical_id, "Properties"):
        written = written.get(key) if isinstance(written, dict) else None
    return cloudformation_input.serverless_variables(conf.get("Properties", {}), written, document)


def _with_project(variants: list[Variant], template: cloudformation_input.Template) -> list[Variant]:
    project = CloudFormationProject(template)
    return [replace(variant, project=project) for variant in variants]


def _read_cloudformation(conf: dict[str, Any], entity_path: str) -> tuple[list[Variant], str]:
    properties, template = _cloudformation_properties(conf, entity_path)
    variants = cloudformation_input.security_configuration(properties, template)
    return _with_project(variants, template), entity_path.rsplit(":", 1)[-1]


def _read_cloudformation_launches(conf: dict[str, Any], entity_path: str) -> tuple[list[Variant], str]:
    properties, template = _cloudformation_properties(conf, entity_path)
    read = cloudformation_input.cluster if conf.get("Type") == CLOUDFORMATION_RESOURCES[CLUSTER][0] \
        else cloudformation_input.state_machine
    return _with_project(read(properties, template), template), entity_path.rsplit(":", 1)[-1]


class _PackCheck:
    """Shared by both frameworks: run the policy, turn its verdict into a Checkov result with details."""

    spec: CheckSpec
    details: list[str]
    evaluated_keys: list[str]
    entity_path: str

    def _setup(self, spec: CheckSpec, read: Reader) -> None:
        self.spec, self._read = spec, read
        self.severity = Severities[getattr(BcSeverities, spec.severity)]

    def _decide(self, conf: dict[str, Any]) -> CheckResult:
        verdict = _VERDICTS.get(conf, self.entity_path, self.spec, self._read)
        if verdict.path:
            self.evaluated_keys = [verdict.path]
        if verdict.outcome is not Outcome.PASSED:
            self.details = [verdict.message, f"Fix: {verdict.fixes or self.spec.fix}"]
        if self.spec is CLUSTER_NAMED and verdict.outcome is Outcome.UNKNOWN and verdict.reason != NOT_CREATED:
            scanned, resource = self._located(conf)
            found = candidates(scanned)
            path = found[0][0] if len(found) == 1 else scanned
            undecided.note(path, self._line(conf, path), resource, verdict.message)
        return _RESULTS[verdict.outcome]

    def _located(self, conf: dict[str, Any]) -> tuple[str, str]:
        """The file Checkov names the resource's, and the resource as Checkov reports it."""
        raise NotImplementedError

    def _line(self, conf: dict[str, Any], path: str) -> int:
        line = conf.get("__start_line__", conf.get("__startline__"))
        return line if isinstance(line, int) else 1


class TerraformCheck(_PackCheck, TfResourceCheck):
    def __init__(self, spec: CheckSpec, read: Reader) -> None:
        super().__init__(name=spec.name, id=spec.id, categories=[CheckCategories.ENCRYPTION],
                         supported_resources=list(TERRAFORM_RESOURCES[spec.resource]), guideline=spec.guideline)
        self._setup(spec, read)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._decide(conf)

    def _located(self, conf: dict[str, Any]) -> tuple[str, str]:
        scanned, resource_type, name = self.entity_path.rsplit(":", 2)
        return scanned, str(conf.get("__address__") or f"{resource_type}.{name}")


class CloudFormationCheck(_PackCheck, CfnResourceCheck):
    def __init__(self, spec: CheckSpec, read: Reader) -> None:
        super().__init__(name=spec.name, id=spec.id, categories=[CheckCategories.ENCRYPTION],
                         supported_resources=list(CLOUDFORMATION_RESOURCES[spec.resource]), guideline=spec.guideline)
        self._setup(spec, read)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._decide(conf)

    def _line(self, conf: dict[str, Any], path: str) -> int:
        """The resource's line in its template (Checkov's CloudFormation conf does not carry it)."""
        document = cloudformation_nesting.parse(path) if os.path.isfile(path) else None
        resources = document.get("Resources") if isinstance(document, dict) else None
        resource = resources.get(self.entity_path.rsplit(":", 1)[-1]) if isinstance(resources, dict) else None
        line = resource.get("__startline__") if isinstance(resource, dict) else None
        return line if isinstance(line, int) else super()._line(conf, path)

    def _located(self, conf: dict[str, Any]) -> tuple[str, str]:
        resource_type = conf.get("Type")
        return self.entity_path.split(f":{resource_type}:", 1)[0], f"{resource_type}.{self.entity_path.rsplit(':', 1)[-1]}"

    def run(self, *args: Any, **kwargs: Any) -> Any:
        # Checkov's CloudFormation runner drops `details`; carry them in the result for JSON and checkov-emr.
        result = super().run(*args, **kwargs)
        if self.details and result.get("result") == CheckResult.FAILED:
            result["details"] = list(self.details)
        return result


def register_terraform() -> None:
    for spec in RESOURCE_CHECKS:
        TerraformCheck(spec, _read_terraform_launches if spec.resource == CLUSTER else _read_terraform)


def register_cloudformation() -> None:
    for spec in RESOURCE_CHECKS:
        CloudFormationCheck(spec, _read_cloudformation_launches if spec.resource == CLUSTER else _read_cloudformation)
