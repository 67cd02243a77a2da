"""The documentation stays true to the repository: it points only at files inside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]

# What a reference to a file outside the repository looks like: a parent directory, the
# machine's work tree or shared folder, the design document that used to live outside.
OUTSIDE = [
    (re.compile(r"\.\./"), "a parent directory (../)"),
    (re.compile(r"/work/"), "a path under /work/"),
    (re.compile(r"(?<![\w-])shared/"), "a shared/ folder"),
    (re.compile(r"(?<!docs/)DESIGN\.md"), "DESIGN.md (the design is docs/design.md)"),
    (re.compile(r"(?<![\w.~])/(?:home|root|tmp|mnt)/"), "an absolute path of this machine"),
]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", DOCS, ids=doc_id)
def test_no_reference_outside_the_repository(path):
    found = [f"{doc_id(path)}:{number}: {what}: {line.strip()}"
             for number, line in enumerate(path.read_text().splitlines(), 1)
             for pattern, what in OUTSIDE if pattern.search(line)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", DOCS, ids=doc_id)
def test_relative_links_name_files_of_the_repository(path):
    """Every link that is not a web address or an anchor names a file that exists here."""
    broken = []
    for target in LINK.findall(path.read_text()):
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|#)", target):
            continue  # https://..., mailto:, #anchor
        resolved = (path.parent / target.split("#")[0]).resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(target)
    assert not broken, f"{doc_id(path)} links outside the repository or to nothing: {broken}"


def test_the_checks_catch_what_they_are_for():
    """The patterns above match the references that were in the README and docs before."""
    lines = ["and the project's DESIGN.md", "see /work/shared/DESIGN.md",
             "[design](../DESIGN.md)", "in ~/work/shared/x"]
    for line in lines:
        assert any(pattern.search(line) for pattern, _ in OUTSIDE), line
    fine = ["see docs/design.md", "`--network shared`", "`~/.local/share/novalite`",
            "`/etc/novalite/novalite.conf`", "`POST /v3/auth/tokens`", "`/dev/kvm`"]
    for line in fine:
        assert not any(pattern.search(line) for pattern, _ in OUTSIDE), line


def test_make_up_installs_the_openstack_cli():
    """The README's commands use `openstack` from .venv: the extra that provides it is
    one that `make up`'s install step (the `$(VENV)/.installed` target) installs."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    providing = {name for name, requirements in extras.items()
                 if any(re.match(r"python-openstackclient\b", r) for r in requirements)}
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^\$\(VENV\)/\.installed:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile has no $(VENV)/.installed target"
    installed = {extra for line in recipe.group(1).splitlines()
                 if (found := re.search(r"pip install .*-e '\.\[([\w,]+)\]'", line))
                 for extra in found.group(1).split(",")}
    assert providing & installed, (providing, installed)
    assert "install: $(VENV)/.installed" in makefile and "up: install" in makefile
