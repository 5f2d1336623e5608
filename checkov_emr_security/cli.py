"""`checkov-emr`: Checkov with this pack loaded, on every framework that can hold an EMR security configuration."""
from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
import warnings
from typing import Callable, NoReturn, Optional, Sequence

from checkov_emr_security import __version__, checks_dir, import_pack, prescan, startup

PACK_FLAGS = """checkov-emr options (every other option is Checkov's own, passed through):
  --version           print the pack's and Checkov's versions, then exit
  --checks-dir        print the folder to use as Checkov's --external-checks-dir, then exit
  --list              list the pack's checks, then exit
  --explain CHECK_ID  the check's page: what it wants, failing and passing examples per format, then exit
  --pre-commit [FLAGS] FILE...
                      the pre-commit hook: scan only the given files that mention an EMR security
                      configuration or cluster (none: exit 0 at once), resolving from the whole repository
  --no-prescan        let Checkov parse every file under -d and start every framework (by default files
                      that cannot hold or affect an EMR resource are skipped, files that cannot be judged
                      are named, only frameworks that read a file left are started, and EMR resources
                      Checkov leaves out (Fn::ForEach, serverless fragments) or cannot see (CDK apps
                      without cdk.out, remote modules not downloaded) are named)
  --github-annotations SARIF_FILE
                      print the SARIF file's findings as GitHub Actions annotations, then exit
"""


def _has(argv: Sequence[str], *flags: str) -> bool:
    return any(arg in flags or arg.split("=", 1)[0] in flags for arg in argv)


def _values(argv: Sequence[str], *flags: str) -> list[str]:
    from emrsec.sources import option_values

    return option_values(argv, *flags)


def checkov_arguments(argv: Sequence[str], frameworks: Sequence[str]) -> list[str]:
    """The Checkov command line: the user's flags, plus this pack and `frameworks` unless the user chose."""
    arguments = list(argv)
    if not _has(arguments, "--external-checks-dir", "--external-checks-git"):
        arguments += ["--external-checks-dir", checks_dir()]
    skipped = _frameworks(arguments, "--skip-framework")
    frameworks = [f for f in frameworks if f not in skipped]  # Checkov refuses a framework in both lists
    if not _has(arguments, "--framework") and not os.environ.get("CKV_FRAMEWORK") and frameworks:
        arguments += ["--framework", *frameworks]
    if not _has(arguments, "-c", "--check"):
        arguments += ["--check", "CKV_EMRSEC_*"]
    if not _has(arguments, "--skip-download"):
        arguments += ["--skip-download"]  # the pack's guidelines and severities are local
    return arguments


def list_checks() -> str:
    from emrsec.catalog import CHECKS, FRAMEWORKS

    table = [("ID", "SEVERITY", "HUB", "NAME"), *((s.id, s.severity, s.control or "-", s.name) for s in CHECKS)]
    widths = [max(len(row[column]) for row in table) for column in range(3)]
    rows = [" ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[3]]) for row in table]
    return "\n".join([*rows, f"frameworks: {', '.join(FRAMEWORKS)}"])


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        checkov = version("checkov")  # read from the installed metadata: importing Checkov takes seconds
    except PackageNotFoundError:
        checkov = "not installed"
    return f"checkov-emr-security {__version__}\ncheckov {checkov}"


def explain(check_ids: Sequence[str]) -> int:
    from checkov_emr_security.docs import page
    from emrsec.catalog import BY_ID

    spec = BY_ID.get(check_ids[0].upper()) if len(check_ids) == 1 else None
    if spec is None:
        given = f" (given: {' '.join(check_ids)})" if check_ids else ""
        print(f"checkov-emr: --explain takes one of {', '.join(BY_ID)}{given}", file=sys.stderr)
        return 2
    return emit(page(spec))


def emit(text: str) -> int:
    """Prints the pack's own output; a reader that stops early (`| head -1`) got what it asked for."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        _silence_stdout()
    return 0


def _silence_stdout() -> None:
    """Points standard output at the null device, so the final flush does not fail on the closed pipe again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def pre_commit(argv: Sequence[str]) -> Optional[list[str]]:
    """The hook's Checkov arguments (None: nothing to scan); points the pack at the repository."""
    from checkov_emr_security import precommit

    arguments = precommit.checkov_arguments(argv)
    if arguments is not None:
        import_pack()
        from emrsec.sources import ROOT_ENV

        os.environ.setdefault(ROOT_ENV, precommit.repository_root())
        sys.argv[1:] = arguments  # the pack reads -f / --var-file from the command line
    return arguments


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--pre-commit" in argv:
        hook_arguments = pre_commit(argv)
        if hook_arguments is None:
            return 0
        argv = hook_arguments
    if "--github-annotations" in argv:
        from checkov_emr_security import github_annotations

        return github_annotations.main(argv[argv.index("--github-annotations") + 1:])
    if _has(argv, "-v", "--version"):
        return emit(versions())
    import_pack()
    from emrsec.catalog import FRAMEWORKS

    if "--checks-dir" in argv:
        return emit(checks_dir())
    if "--list" in argv:
        if argv != ["--list"]:
            print("checkov-emr: --list takes no other arguments", file=sys.stderr)
            return 2
        return emit(list_checks())
    if "--explain" in argv:
        return explain([arg for arg in argv if arg != "--explain"])
    if _has(argv, "-h", "--help"):
        print(PACK_FLAGS)
    missing = [path for path in _values(argv, "-d", "--directory", "-f", "--file") if not os.path.exists(path)]
    if missing:  # Checkov skips a missing path with a log line and exits 0: a gate must not pass on a typo
        print(f"checkov-emr: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    mistaken = [f"{path} is a file: scan it with -f" for path in _values(argv, "-d", "--directory")
                if os.path.isfile(path)] + [f"{path} is a folder: scan it with -d" for path in _values(argv, "-f", "--file")
                                            if os.path.isdir(path)]
    if mistaken:  # Checkov scans nothing then and exits 0
        print(f"checkov-emr: {'; '.join(mistaken)}", file=sys.stderr)
        return 2
    arguments = [a for a in argv if a != "--no-prescan"]
    frameworks = FRAMEWORKS
    if "--no-prescan" not in argv:
        arguments, files = prescan_arguments(arguments)
        if _inputs_known(arguments):
            frameworks = prescan.frameworks_reading(files, FRAMEWORKS) or FRAMEWORKS[:1]
        from checkov_emr_security import unseen

        unseen.note_given_files(_values(argv, "-f", "--file"))
        for warning in unseen.warnings():
            print(f"checkov-emr: warning: {warning}", file=sys.stderr)
    arguments = checkov_arguments(arguments, frameworks)
    startup.pause_collector()
    startup.defer_unused_imports()
    pack_only = startup.pack_checks_only(_values(arguments, "-c", "--check"))
    if pack_only:
        startup.skip_built_in_checks()
    chosen = _frameworks(arguments, "--framework")
    if chosen and "all" not in chosen and not os.environ.get("CKV_FRAMEWORK"):
        startup.stand_in_runners(sorted(chosen))
    from checkov.main import Checkov

    from checkov_emr_security import cloudformation_details, outputs, parsing, rendering, unscanned

    startup.resume_collector()
    parsing.share_hcl_parses()
    if pack_only and _one_folder(arguments):
        rendering.skip_rendering()
    cloudformation_details.install()
    outputs.install()
    unscanned.install(_values(arguments, "-d", "--directory"), _asked_about(argv))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        # Checkov's module finder compiles --skip-path character by character: one warning per character
        warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)
        return Checkov(arguments).run() or 0


def _frameworks(argv: Sequence[str], flag: str) -> set[str]:
    return {f.strip() for value in _values(argv, flag) for f in value.split(",")}


def _asked_about(argv: Sequence[str]) -> Callable[[str, str], bool]:
    """Whether the user's own --framework, --skip-framework and --skip-path (or the config file's) keep a file
    read by a framework: the ones checkov-emr adds narrow what Checkov reads, not what the user asked about.
    Paths are matched as Checkov matches them (a regex searched in the path, or a part of it)."""
    from emrsec.sources import configured_skip_paths

    chosen, skipped = _frameworks(argv, "--framework"), _frameworks(argv, "--skip-framework")
    skip_paths = _values(argv, "--skip-path") or configured_skip_paths()
    patterns = []
    for skip_path in skip_paths:
        try:
            patterns.append(re.compile(re.escape(skip_path) if re.match(r"^\.[^.]", skip_path) else skip_path))
        except re.error:
            continue

    def asked(path: str, framework: str) -> bool:
        if framework in skipped or (chosen and not chosen & {"all", framework}):
            return False
        forms = (path, os.path.relpath(path))
        return not any(pattern.search(form) for pattern in patterns for form in forms) \
            and not any(skip_path in form for skip_path in skip_paths for form in forms)

    return asked


def _inputs_known(arguments: Sequence[str]) -> bool:
    """Whether the command line names everything Checkov will read (no config file adds folders or files),
    in at most one folder (Checkov names module resources differently when its Terraform runner, alone in
    the process, walks several)."""
    from emrsec.sources import configured_inputs

    directories = _values(arguments, "-d", "--directory")
    return bool(directories or _values(arguments, "-f", "--file")) and len(directories) <= 1 \
        and not configured_inputs()


def _one_folder(arguments: Sequence[str]) -> bool:
    """Whether Checkov scans one folder and nothing else, so the pack finds each scanned file's source."""
    return _inputs_known(arguments) and len(_values(arguments, "-d", "--directory")) == 1 \
        and not _values(arguments, "-f", "--file")


def _empty_folder() -> str:
    """A folder with nothing to scan, removed at exit: Checkov then prints an empty report in every format."""
    folder = tempfile.mkdtemp(prefix="checkov-emr-empty-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def prescan_arguments(arguments: list[str]) -> tuple[list[str], list[str]]:
    """The arguments without the files that cannot be judged or cannot matter, and the files Checkov will
    still read."""
    def warn(message: str) -> None:
        print(message, file=sys.stderr)

    given = _values(arguments, "-f", "--file")
    arguments = prescan.judgeable_files(arguments, warn)
    files = _values(arguments, "-f", "--file")
    directories = _values(arguments, "-d", "--directory")
    if given and not files and not directories:  # each file given was named as one that cannot be judged
        return [*arguments, "-d", _empty_folder()], []
    if directories:
        from emrsec.sources import configured_skip_paths

        if not _has(arguments, "--skip-path"):  # the one checkov-emr adds would replace the config file's
            arguments += [part for path in configured_skip_paths() for part in ("--skip-path", path)]
        arguments, kept = prescan.narrowed(arguments, directories, warn)
        files += sorted(kept)
    return arguments, files


def run() -> NoReturn:
    """The console command: main(), then an exit that skips tearing down Checkov's modules."""
    try:
        code = main()
    except BrokenPipeError:  # the reader of a scan's output went away: exit as a process killed by SIGPIPE would
        _silence_stdout()
        code = 128 + 13
    startup.exit_now(code)

if __name__ == "__main__":
    run()
