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
- Python's own exit then takes about 0.3 s to tear down the 2,300 modules imported; a command-line tool
  can skip that once its output is written.
"""
from __future__ import annotations

import atexit
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


def exit_now(code: int) -> NoReturn:
    """Exits once output and exit handlers are done, without tearing down every imported module."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be written anyway
            pass
    os._exit(code)
