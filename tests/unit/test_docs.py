"""The documentation stays true to the repository: it points only at files inside it, and
the boot flow table of docs/architecture.md names functions that exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType
from typing import Any

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
NOT_BUILT: set[int] = set()  # every step is built (the volume steps 25-27 last)
NOT_BUILT_TEXT = "not built yet"
ROW = re.compile(r"^\|\s*(\d+)\s*\|([^|]*)\|([^|]*)\|\s*$")
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


def boot_flow_rows() -> list[tuple[int, str, str]]:
    """(step, what happens, function cell) of each row of architecture's boot flow table."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("\n## The boot flow", 1)[1].split("\n## ", 1)[0]
    return [(int(found.group(1)), found.group(2).strip(), found.group(3).strip())
            for line in section.splitlines() if (found := ROW.match(line))]


def resolve(dotted: str) -> Any:
    """``novalite.module.function`` or ``novalite.module.Class.method``: each name is an
    attribute of what came before, or else a submodule of it."""
    first, *rest = dotted.split(".")
    found: Any = importlib.import_module(first)
    for name in rest:
        if hasattr(found, name):
            found = getattr(found, name)
        elif isinstance(found, ModuleType):
            found = importlib.import_module(f"{found.__name__}.{name}")
        else:
            raise AttributeError(f"{dotted}: {found!r} has no {name}")
    return found


def test_the_boot_flow_has_28_rows_numbered_1_to_28():
    rows = boot_flow_rows()
    assert [step for step, _, _ in rows] == list(range(1, 29))


def test_no_step_is_left_unbuilt():
    for step, what, function in boot_flow_rows():
        if step in NOT_BUILT:
            assert function == "—" and NOT_BUILT_TEXT in what, step
        else:
            assert function != "—" and NOT_BUILT_TEXT not in what, step


@pytest.mark.parametrize("step,what,function",
                         [pytest.param(*row, id=f"step-{row[0]}") for row in boot_flow_rows()
                          if row[0] not in NOT_BUILT])
def test_each_boot_step_names_a_callable_function(step, what, function):
    assert what, f"step {step} says nothing"
    found = re.fullmatch(r"`(novalite(?:\.\w+)+)`", function)
    assert found, f"step {step}: the function cell is not one `novalite.dotted.path`"
    assert callable(resolve(found.group(1))), f"step {step}: {found.group(1)}"
