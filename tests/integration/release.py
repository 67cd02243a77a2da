"""A released novalite in a virtualenv of its own, for tests that run old services next to
this code (N-1).

The release's source is ``git archive`` of the commit RELEASES.toml names; it is installed
non-editable (``pip install --no-deps --no-build-isolation``) into a venv whose
dependencies are this venv's, through a ``.pth`` line naming this venv's site-packages:
nothing is downloaded for them. (The build needs a newer setuptools than the venv's
bundled one, because the release's pyproject.toml uses a PEP 639 license string: its
``[build-system] requires`` are installed into the venv first, by its pip.) Only the
plain directory goes on the path: its ``.pth`` files are not run, so the editable finder
of this checkout's install stays out.

Venvs are kept under ``~/.cache/novalite/releases/<commit>`` (``NOVALITE_RELEASE_CACHE``)
and checked before each use: the source must still be the commit's, every installed file
must match pip's RECORD, and the dependency line must name this venv.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.integration.deployment import REPOSITORY, release_env

CACHE = Path(os.environ.get("NOVALITE_RELEASE_CACHE", Path.home() / ".cache" / "novalite"
                            / "releases"))
DEPENDENCIES_PTH = "novalite_release_dependencies.pth"
STAMP = "stamp.json"


@dataclass(frozen=True)
class Release:
    version: str
    commit: str
    venv: Path

    @property
    def bin(self) -> str:
        return str(self.venv / "bin")

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def site_packages(self) -> Path:
        return Path(_venv_purelib(self.venv))


def release_commit(version: str) -> str:
    with open(REPOSITORY / "RELEASES.toml", "rb") as handle:
        commit: str = tomllib.load(handle)["releases"][version]["commit"]
    return commit


def dependency_paths() -> list[str]:
    """This interpreter's site-packages (pure and platform), what the release imports its
    dependencies from."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


def imported_from(release: Release, module: str = "novalite") -> Path:
    """Where ``import module`` resolves in the release's venv, run as its services are
    (the release's environment, outside any checkout)."""
    out = subprocess.run(
        [release.python, "-c", f"import {module}; print({module}.__file__)"],
        capture_output=True, text=True, check=True, env=release_env(), cwd=release.venv,
        timeout=60)
    return Path(out.stdout.strip()).resolve()


def build(version: str, cache: Path = CACHE) -> Release:
    """The release's venv, built unless a verified one is cached."""
    commit = release_commit(version)
    cache.mkdir(parents=True, exist_ok=True)
    root = cache / commit
    release = Release(version, commit, root / "venv")
    with _lock(cache / f"{commit}.lock"):
        if not _verified(release):
            shutil.rmtree(root, ignore_errors=True)
            _build(release)
            problem = _problem(release)
            assert problem is None, f"the venv just built fails its check: {problem}"
    return release


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _archive(commit: str) -> bytes:
    return subprocess.run(["git", "-C", str(REPOSITORY), "archive", "--format=tar", commit],
                          capture_output=True, check=True, timeout=120).stdout


def _venv_purelib(venv: Path) -> str:
    return sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})


def _run(*args: str, cwd: Path | None = None) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=release_env(), cwd=cwd,
                            timeout=600)
    if result.returncode:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _build(release: Release) -> None:
    root = release.venv.parent
    source = root / "src"
    source.mkdir(parents=True)
    archive = _archive(release.commit)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    _run(sys.executable, "-m", "venv", str(release.venv))
    site_packages = Path(_venv_purelib(release.venv))
    (site_packages / DEPENDENCIES_PTH).write_text("".join(f"{p}\n" for p in dependency_paths()))
    with open(source / "pyproject.toml", "rb") as handle:
        build_requires = tomllib.load(handle)["build-system"]["requires"]
    _run(release.python, "-m", "pip", "install", "--quiet", *build_requires, cwd=root)
    _run(release.python, "-m", "pip", "install", "--quiet", "--no-cache-dir", "--no-deps",
         "--no-build-isolation", str(source), cwd=root)
    (root / STAMP).write_text(json.dumps({
        "version": release.version, "commit": release.commit,
        "source_sha256": hashlib.sha256(archive).hexdigest(),
        "python": sys.version, "dependencies": dependency_paths()}))


def _verified(release: Release) -> bool:
    try:
        return _problem(release) is None
    except (OSError, ValueError, KeyError, subprocess.SubprocessError):
        return False


def _problem(release: Release) -> str | None:
    """What is wrong with the cached venv (None: nothing)."""
    root = release.venv.parent
    stamp = json.loads((root / STAMP).read_text())
    if stamp["commit"] != release.commit or stamp["python"] != sys.version:
        return "built for another commit or interpreter"
    if stamp["source_sha256"] != hashlib.sha256(_archive(release.commit)).hexdigest():
        return "the commit's source changed"
    site_packages = release.site_packages()
    lines = (site_packages / DEPENDENCIES_PTH).read_text().splitlines()
    if lines != dependency_paths():
        return f"dependencies from {lines}, not {dependency_paths()}"
    records = list(site_packages.glob(f"novalite-{release.version}.dist-info/RECORD"))
    if len(records) != 1:
        return f"novalite {release.version} is not installed"
    for line in records[0].read_text().splitlines():
        path, digest, _ = line.rsplit(",", 2)
        if not digest:
            continue  # RECORD itself, and files pip wrote without a hash
        algorithm, _, expected = digest.partition("=")
        data = (site_packages / path).read_bytes()
        actual = base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=")
        if actual.decode() != expected:
            return f"{path} differs from what was installed"
    if not imported_from(release).is_relative_to(site_packages.resolve()):
        return "novalite is not imported from the venv"
    return None
