"""Checkov's start-up and exit, trimmed to what a scan with only this pack's checks needs.

Measured with Checkov 3.3.30 on a 2-core machine (`python -X importtime`, docs/performance.md):
- `from checkov.main import Checkov` takes about 2.5 s, half of it importing every built-in check of every
  framework (the `__init__` of each `checkov.<framework>.checks...` package imports all its modules, and
  pulls in cloudsplaining, policy_sentry and detect_secrets). With `--check CKV_EMRSEC_*` none of them runs,
  so those `__init__`s are left unexecuted: the packages still exist, and any module in them (a registry,
  a base class a check subclasses, a built-in check named on purpose) still imports on demand.
- Three imports cost a tenth of a second each for what a local scan never does: spdx_tools builds the SPDX
  license list when imported, Checkov's SPDX writer imports spdx_tools' model (and beartype) for `-o spdx`,
  and aiohttp serves the Prisma Cloud API client. All are deferred to their first use.
- `checkov.main` imports the runner of every framework and makes one of each, then keeps those of the
  frameworks asked for: the modules of the others (Ansible, ARM, Bicep, Kubernetes, SAST, ...) take about a
  tenth of a second to import. When the frameworks are known, those runners are stand-ins that carry their
  check type, and become the real runner if anything else is asked of them.
- Python's cyclic garbage collector runs again and again while those modules are imported, each time over
  every object made so far: about a tenth of a second of the import. Imports make no garbage worth collecting,
  so the collector is paused for them, and what they made is then set aside from later collections.
- Python's own exit then takes about 0.3 s to tear down the 2,300 modules imported; a command-line tool
  can skip that once its output is written.
"""
from __future__ import annotations

import atexit
import gc
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
from types import ModuleType
from typing import Any, Callable, NoReturn, Optional, Sequence

PACK_CHECK_PREFIX = "CKV_EMRSEC_"
# The packages that hold built-in checks: their __init__ only imports the checks (`import *` / a glob).
BUILT_IN_CHECK_PACKAGE = re.compile(r"checkov\.\w+\.checks(?:\.\w+)*")


def pack_checks_only(check_patterns: Sequence[str]) -> bool:
    """True when every --check value names this pack's checks (so no built-in check can run)."""
    ids = [part.strip() for value in check_patterns for part in value.split(",") if part.strip()]
    return bool(ids) and all(i.upper().startswith(PACK_CHECK_PREFIX) for i in ids)


class _UnexecutedInit(importlib.abc.Loader):
    def exec_module(self, module: ModuleType) -> None:
        pass  # the default module, with __path__ set from the spec, and nothing run


LAZY_PACKAGES = ("aiohttp",)
SPDX_LICENSING = "spdx_tools.common.spdx_licensing"  # `spdx_licensing = get_spdx_licensing()`, 0.13 s
SPDX_OUTPUT = "checkov.common.output.spdx"  # the `-o spdx` writer: spdx_tools' model and beartype, 0.08 s


class _OnFirstUse:
    """Stands for the object `build()` returns, building it when an attribute is first asked for."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build, self._built = build, None

    def __getattr__(self, name: str) -> Any:
        if self._built is None:
            self._built = self._build()
        return getattr(self._built, name)


class _SpdxLicensingLoader(importlib.abc.Loader):
    def exec_module(self, module: ModuleType) -> None:
        from license_expression import get_spdx_licensing

        module.get_spdx_licensing = get_spdx_licensing
        module.spdx_licensing = _OnFirstUse(get_spdx_licensing)


class _SpdxOutputLoader(importlib.abc.Loader):
    """The writer module with `SPDX` (the one name Checkov imports from it) standing for its class: the module's
    own code runs when `SPDX` is first called."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def exec_module(self, module: ModuleType) -> None:
        def spdx(*args: Any, **kwargs: Any) -> Any:
            if module.SPDX is spdx:
                self.loader.exec_module(module)  # sets the real SPDX
            return module.SPDX(*args, **kwargs)

        module.SPDX = spdx


class _LoaderSwap(importlib.abc.MetaPathFinder):
    """Finds the modules `wants` names as Python would, then loads them with the loader `swap` gives (None:
    Python's own)."""

    def __init__(self, wants: Callable[[str], bool],
                 swap: Callable[[importlib.machinery.ModuleSpec], Optional[importlib.abc.Loader]]) -> None:
        self.wants, self.swap = wants, swap

    def find_spec(self, name: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
                  ) -> Optional[importlib.machinery.ModuleSpec]:
        if not self.wants(name):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None:
            spec.loader = self.swap(spec) or spec.loader
        return spec


def _install(finder: _LoaderSwap) -> None:
    """Puts the finder first, once (a second call with the same `wants` changes nothing)."""
    if not any(isinstance(f, _LoaderSwap) and f.wants == finder.wants for f in sys.meta_path):
        sys.meta_path.insert(0, finder)


def _is_built_in_check_package(name: str) -> bool:
    return BUILT_IN_CHECK_PACKAGE.fullmatch(name) is not None


def _is_deferred(name: str) -> bool:
    return name in (SPDX_LICENSING, SPDX_OUTPUT) or name.partition(".")[0] in LAZY_PACKAGES


def _deferring_loader(spec: importlib.machinery.ModuleSpec) -> Optional[importlib.abc.Loader]:
    if spec.name == SPDX_LICENSING:
        return _SpdxLicensingLoader()
    if spec.name == SPDX_OUTPUT and spec.loader is not None:
        return _SpdxOutputLoader(spec.loader)
    if isinstance(spec.loader, importlib.machinery.SourceFileLoader):
        return importlib.util.LazyLoader(spec.loader)
    return None


def defer_unused_imports() -> None:
    """Defers the SPDX license list, the SPDX writer and aiohttp to their first use; call before Checkov is
    imported."""
    _install(_LoaderSwap(_is_deferred, _deferring_loader))


def skip_built_in_checks() -> None:
    """Leaves Checkov's built-in check packages empty; call before Checkov is imported."""
    _install(_LoaderSwap(_is_built_in_check_package,
                         lambda spec: _UnexecutedInit() if spec.submodule_search_locations is not None else None))


# The runners `checkov.main` makes at import, by module: (the class's name there, its check type). Checkov's
# secrets runner is not among them: the module also holds a table another module imports.
OTHER_RUNNERS = {
    "checkov.ansible.runner": ("Runner", "ansible"),
    "checkov.argo_workflows.runner": ("Runner", "argo_workflows"),
    "checkov.arm.runner": ("Runner", "arm"),
    "checkov.azure_pipelines.runner": ("Runner", "azure_pipelines"),
    "checkov.bicep.runner": ("Runner", "bicep"),
    "checkov.bitbucket.runner": ("Runner", "bitbucket_configuration"),
    "checkov.bitbucket_pipelines.runner": ("Runner", "bitbucket_pipelines"),
    "checkov.cdk.runner": ("CdkRunner", "cdk"),
    "checkov.circleci_pipelines.runner": ("Runner", "circleci_pipelines"),
    "checkov.dockerfile.runner": ("Runner", "dockerfile"),
    "checkov.github.runner": ("Runner", "github_configuration"),
    "checkov.github_actions.runner": ("Runner", "github_actions"),
    "checkov.gitlab.runner": ("Runner", "gitlab_configuration"),
    "checkov.gitlab_ci.runner": ("Runner", "gitlab_ci"),
    "checkov.helm.runner": ("Runner", "helm"),
    "checkov.kubernetes.runner": ("Runner", "kubernetes"),
    "checkov.kustomize.runner": ("Runner", "kustomize"),
    "checkov.openapi.runner": ("Runner", "openapi"),
    "checkov.sast.runner": ("Runner", "sast"),
    "checkov.sca_image.runner": ("Runner", "sca_image"),
    "checkov.sca_package_2.runner": ("Runner", "sca_package"),
}


class _StandInRunner:
    """A runner of a framework the scan does not start: its check type, and the real runner for anything else."""

    check_type: str
    module: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._arguments, self._real = (args, kwargs), None

    def __getattr__(self, name: str) -> Any:
        if self._real is None:
            real_module = importlib.import_module(self.module).load_real_module()
            runner_class = getattr(real_module, OTHER_RUNNERS[self.module][0])
            self._real = runner_class(*self._arguments[0], **self._arguments[1])
        return getattr(self._real, name)


class _StandInModule(importlib.abc.Loader):
    """A runner module holding a stand-in class under the runner's name; any other name asked of it is read
    from the real module, run then."""

    def __init__(self, spec: importlib.machinery.ModuleSpec) -> None:
        self.spec = spec

    def exec_module(self, module: ModuleType) -> None:
        class_name, check_type = OTHER_RUNNERS[module.__name__]
        setattr(module, class_name, type(class_name, (_StandInRunner,),
                                         {"check_type": check_type, "module": module.__name__}))
        real: list[ModuleType] = []

        def load_real_module() -> ModuleType:
            if not real:
                real.append(importlib.util.module_from_spec(self.spec))
                assert self.spec.loader is not None
                self.spec.loader.exec_module(real[0])
            return real[0]

        def real_attribute(name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            return getattr(load_real_module(), name)

        module.load_real_module = load_real_module  # type: ignore[attr-defined]
        module.__getattr__ = real_attribute  # type: ignore[method-assign]


def stand_in_runners(frameworks: Sequence[str]) -> None:
    """Runners of frameworks other than `frameworks` are stand-ins; call before Checkov is imported."""
    unused = {name for name, (_, check_type) in OTHER_RUNNERS.items() if check_type not in frameworks}

    def stand_in(spec: importlib.machinery.ModuleSpec) -> Optional[importlib.abc.Loader]:
        real = importlib.machinery.ModuleSpec(spec.name, spec.loader, origin=spec.origin)
        real.submodule_search_locations, real.has_location = spec.submodule_search_locations, spec.has_location
        return _StandInModule(real)

    _install(_LoaderSwap(unused.__contains__, stand_in))


def pause_collector() -> None:
    """Pauses the cyclic garbage collector; call before Checkov is imported."""
    gc.disable()


def resume_collector() -> None:
    """Resumes the collector once Checkov is imported, the objects made so far left out of its collections."""
    gc.freeze()
    gc.enable()


def exit_now(code: int) -> NoReturn:
    """Exits once output and exit handlers are done, without tearing down every imported module."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be written anyway
            pass
    os._exit(code)
