"""Read the import graph of the product's source without importing it."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Import:
    importer: str  # module name, e.g. app.messaging.sending
    imported: str  # module name as written, e.g. workers.sending
    names: tuple[str, ...]
    late: bool  # inside a function: runs on call, not at import time


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    """Every import statement of one file, with whether it runs late."""
    tree = ast.parse(path.read_text())
    importer, found = module_name(path), []
    late_nodes = {id(node) for func in ast.walk(tree) if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
                  for node in ast.walk(func)}
    for node in ast.walk(tree):
        late = id(node) in late_nodes
        if isinstance(node, ast.Import):
            found += [Import(importer, alias.name, (), late) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(Import(importer, node.module, tuple(a.name for a in node.names), late))
    return found


def product_imports(*packages: str) -> list[Import]:
    return [one for package in packages for path in sorted((ROOT / package).rglob("*.py")) for one in imports_of(path)]


def package_of(module: str, depth: int = 2) -> str:
    """app.messaging.sending -> app.messaging; app.clock -> app.clock; workers.sending -> workers."""
    parts = module.split(".")
    return ".".join(parts[:depth]) if parts[0] == "app" else parts[0]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one node (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups
