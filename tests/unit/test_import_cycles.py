"""No import circles: among novalite's modules (every import grimp sees, lazy ones too) and
among the benchmark scripts, which import each other by their bare names."""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Callable, Iterable

import grimp

BENCH = pathlib.Path(__file__).resolve().parents[2] / "bench"


def cycles(nodes: Iterable[str], imported_by: Callable[[str], Iterable[str]]
           ) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycles_finds_a_circle_and_only_that() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(edges, edges.__getitem__) == [["a", "b", "c"]]


def test_no_cycles_among_novalite_modules() -> None:
    graph = grimp.build_graph("novalite", include_external_packages=False)
    assert cycles(graph.modules, graph.find_modules_directly_imported_by) == []


def _script_imports(path: pathlib.Path, scripts: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module in scripts:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in scripts)
    return found


def test_no_cycles_among_benchmark_scripts() -> None:
    paths = {path.stem: path for path in BENCH.glob("*.py")}
    edges = {name: _script_imports(path, set(paths)) for name, path in paths.items()}
    assert "cloud" in edges["boot"]  # the check sees the scripts' imports
    assert cycles(edges, edges.__getitem__) == []
