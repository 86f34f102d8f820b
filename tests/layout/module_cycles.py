#!/usr/bin/env python3
"""Fails when modules of the core crate import each other in a circle.

Reads every `crate::a::b` and `super::x` path in core/src (uses, and paths
written inline) and builds, for each folder, the graph of which sibling
module names which; a cycle among siblings (at the crate root or inside a
folder such as report/) is an import circle. Tests (`mod tests`) are left
out: a test may use anything. At the crate root the parts also keep their
order (LAYERS): each names only the parts before it.

    python3 tests/layout/module_cycles.py [core/src]
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2] / "core" / "src")
PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*?)\}", re.S)


# core/src's parts, each depending only on those before it (README, lib.rs).
LAYERS = ["model", "rules", "source", "load", "dataset", "report", "print", "reconcile", "tools", "host"]


def module_of(path: pathlib.Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return parts


def without_tests(text: str) -> str:
    cut = re.search(r"#\[cfg\(test\)\]\s*mod tests", text)
    return text[: cut.start()] if cut else text


def targets(module: list[str], is_dir_module: bool, text: str):
    """Absolute module paths this file names."""
    here = module if is_dir_module else module[:-1]
    found = []
    for m in GROUP.finditer(text):
        base = m.group(2).split("::")[1:]
        for item in re.split(r",", m.group(3)):
            first = item.strip().split("::")[0].split(" ")[0]
            if first and first not in ("self",):
                found.append((m.group(1), base + [first]))
            elif first == "self":
                found.append((m.group(1), base))
    for m in PATH.finditer(text):
        found.append((m.group(1), m.group(2).split("::")[1:]))
    for kind, rest in found:
        if kind == "crate":
            yield rest
        else:
            # `super` is the parent of this module.
            parent = module[:-1]
            while rest and rest[0] == "super":
                parent, rest = parent[:-1], rest[1:]
            yield parent + rest


def main() -> int:
    edges: dict[tuple, set] = {}
    for path in sorted(ROOT.rglob("*.rs")):
        module = module_of(path)
        is_dir_module = path.name in ("mod.rs", "lib.rs")
        for target in targets(module, is_dir_module, without_tests(path.read_text())):
            # The first level where the two paths part: siblings in one folder.
            i = 0
            while i < len(module) and i < len(target) and module[i] == target[i]:
                i += 1
            if i < len(module) and i < len(target):
                folder = tuple(module[:i])
                edges.setdefault(folder, set()).add((module[i], target[i]))
    cycles = []
    for folder, pairs in sorted(edges.items()):
        graph: dict[str, set] = {}
        for a, b in pairs:
            graph.setdefault(a, set()).add(b)
        state: dict[str, int] = {}
        stack: list[str] = []

        def visit(node: str):
            state[node] = 1
            stack.append(node)
            for nxt in sorted(graph.get(node, ())):
                if state.get(nxt) == 1:
                    circle = stack[stack.index(nxt):] + [nxt]
                    cycles.append(f"{'::'.join(folder) or 'crate'}: " + " -> ".join(circle))
                elif nxt not in state:
                    visit(nxt)
            stack.pop()
            state[node] = 2

        for node in sorted(graph):
            if node not in state:
                visit(node)
    for a, b in sorted(edges.get((), ())):
        if a in LAYERS and b in LAYERS and LAYERS.index(b) > LAYERS.index(a):
            cycles.append(f"crate: {a} names {b}, which comes after it in LAYERS")
    for c in cycles:
        print("import circle:", c)
    modules = sum(len({a for a, _ in p} | {b for _, b in p}) for p in edges.values())
    print(f"{len(cycles)} import circles among {modules} sibling modules in {len(edges)} folders")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
