"""The release records agree: RELEASES.toml names each release's commit, CHANGELOG.md lists
the releases newest first, and pyproject.toml's version is the newest of them."""

from __future__ import annotations

import datetime
import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (Unreleased|\d{4}-\d{2}-\d{2})$", re.M)


def releases() -> dict[str, dict[str, object]]:
    return tomllib.loads((ROOT / "RELEASES.toml").read_text())["releases"]


def changelog_sections() -> list[tuple[str, str]]:
    """(version, date or "Unreleased") of each ``## [X.Y.Z] - ...`` heading, in order."""
    return SECTION.findall((ROOT / "CHANGELOG.md").read_text())


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


def has_full_history() -> bool:
    """A git checkout that is not shallow (a tarball or a shallow clone cannot tell)."""
    try:
        result = git("rev-parse", "--is-shallow-repository")
    except FileNotFoundError:  # no git at all
        return False
    return result.returncode == 0 and result.stdout.strip() == "false"


def test_release_0_1_0_names_a_full_commit_id_of_this_history():
    release = releases()["0.1.0"]
    commit = release["commit"]
    assert isinstance(commit, str) and re.fullmatch(r"[0-9a-f]{40}", commit), commit
    assert isinstance(release["date"], datetime.date)
    assert release["summary"]
    if has_full_history():
        assert git("cat-file", "-e", f"{commit}^{{commit}}").returncode == 0, commit
        assert git("merge-base", "--is-ancestor", commit, "HEAD").returncode == 0, (
            f"release 0.1.0 ({commit}) is not in the history of HEAD")


def test_every_release_has_a_full_commit_id():
    for version, release in releases().items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
        assert re.fullmatch(r"[0-9a-f]{40}", str(release["commit"])), version


def test_pyproject_version_is_the_newest_changelog_release():
    sections = changelog_sections()
    assert sections, "CHANGELOG.md has no '## [X.Y.Z] - date' section"
    versions = [version for version, _ in sections]
    assert versions == sorted(versions, key=version_key, reverse=True), "newest first"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == versions[0]


def test_changelog_and_releases_record_the_same_releases():
    """A dated CHANGELOG section is a release with a commit in RELEASES.toml, on the same
    date; only the newest section may be Unreleased."""
    sections = changelog_sections()
    dated = {version: date for version, date in sections if date != "Unreleased"}
    assert [version for version, date in sections if date == "Unreleased"] in (
        [], [sections[0][0]])
    recorded = releases()
    assert set(dated) == set(recorded)
    for version, release in recorded.items():
        assert dated[version] == str(release["date"]), version
