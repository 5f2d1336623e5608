#!/usr/bin/env python3
"""checkov-emr against plain Checkov with the pack loaded, on generated repositories.

    python bench/benchmark.py [--runs N] [--quick] [--seed S] [--keep]

Generates three corpora from the seed in a temporary folder (the same seed gives the same files; bench/corpora/):

- pr: a pull-request-sized change, 5 files, one with an EMR security configuration;
- monorepo: 200 Terraform folders of 10 files (root folders under terraform/live calling local modules under
  terraform/modules), 300 CloudFormation templates and 10 CDK cdk.out folders; about 1% of the files hold EMR
  resources, passing and failing, one of them in a module called from a root folder with a variable;
- modules: repositories shaped like public EMR modules, where every folder holds or calls an EMR resource: a
  wrapper module over submodules, examples and terragrunt-style environment trees calling it with other inputs.

Runs `checkov-emr -d CORPUS -o json` and plain `checkov -d CORPUS --external-checks-dir checks --check
'CKV_EMRSEC_*' --framework ... --skip-download -o json` on each corpus, and the pre-commit hook
(`checkov-emr --pre-commit`) against plain `checkov -f` on a commit of the monorepo touching one EMR file
(`hook`), alternating, N times (bench/runner.py),
and prints wall time (min, median) and peak RSS of each, with the ratios checkov-emr / checkov against their
targets (bench/report.py). Exits 1 if the two do not report the same (file, resource, check id, result)
findings, 2 if a scan crashes. Then times the policy alone (`emrsec.policy.evaluate` on a typical
configuration). A full run writes its results into docs/performance.md; `--quick` generates fewer files (for
the test suite) and leaves the page alone.
"""
from __future__ import annotations

import argparse
import compileall
import os
import shutil
import sys
import tempfile
from typing import Callable, Optional

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import checkov_emr_security  # noqa: E402
from bench import report, runner  # noqa: E402  (importable once the repository is on sys.path)
from bench.corpora import CORPORA, HOOK_COMMIT, count_files  # noqa: E402
from checkov_emr_security import checks_dir  # noqa: E402


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool on each corpus (default 5)")
    parser.add_argument("--quick", action="store_true", help="smaller corpora (for tests); docs left alone")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpora and print where")
    options = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # the table after the progress
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)

    for package in (checks_dir(), os.path.dirname(checkov_emr_security.__file__)):
        compileall.compile_dir(package, quiet=1)  # as pip installs them, even where bytecode is not written
    workspace = tempfile.mkdtemp(prefix="checkov-emr-bench-")
    try:
        corpora = {name: os.path.join(workspace, name) for name in CORPORA}
        sizes = {}
        for name, path in corpora.items():
            CORPORA[name](path, options.seed, options.quick)
            total, emr = count_files(path)
            sizes[name] = total
            log(f"{name}: {total} files, {emr} naming an EMR resource ({100 * emr / total:.1f}%)")
        scans = {name: runner.folder_scan(path) for name, path in corpora.items()}
        scans["hook"] = runner.hook_scan(corpora["monorepo"], HOOK_COMMIT)
        sizes["hook"] = len(HOOK_COMMIT)
        try:
            measured = runner.measure(scans, options.runs, log)
        except runner.ScanFailed as error:
            print(f"scan failed: {error}")
            return 2
        except runner.FindingsChanged as error:
            print(error)
            return 1

        names = list(scans)
        results = [*report.table(measured, sizes), "",
                   *report.targets(measured, names, runner.policy_microseconds(options.quick))]
        print("\n".join(results))
        problems = report.differences(measured, names)
        if problems:
            print("\n".join(problems))
            return 1
        results.append(report.identical(measured, names))
        print(results[-1])
        if not options.quick:
            report.write_page(results, options.runs, options.seed)
            log(f"results written to {os.path.relpath(report.PAGE)}")
        return 0
    finally:
        if options.keep:
            log(f"corpora kept in {workspace}")
        else:
            shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
