"""The structure rules of docs/design.md: no import cycle between files, bounded sizes.

Imports are read with :mod:`ast` from every file in ``workbench/``, including the ones inside
functions (a deferred import still ties two files together); only imports under
``if TYPE_CHECKING:`` are left out, since they never run. A module is at most
:data:`MODULE_LIMIT` lines and a class at most :data:`CLASS_LIMIT` lines, unless the allow-lists
below name it with the reason. An entry that no longer applies (the file was split, moved or
shrunk) fails the test too, so the lists only ever shrink. No function or method of
``workbench/core`` is above cyclomatic grade :data:`COMPLEXITY_GRADE` as radon measures it.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit
from radon.visitors import Function

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "workbench"

MODULE_LIMIT = 600
CLASS_LIMIT = 400
#: The worst cyclomatic grade (radon: A best, F worst) a function of COMPLEX_FREE may have.
COMPLEXITY_GRADE = "C"
COMPLEX_FREE = PACKAGE / "core"

#: Modules above MODULE_LIMIT lines (path relative to the repository) and why.
LARGE_MODULES: dict[str, str] = {}

#: Classes above CLASS_LIMIT lines ("path::Class") and why.
LARGE_CLASSES: dict[str, str] = {}

#: Files outside workbench/ui/ and workbench/app.py that import Qt, and why.
QT_OUTSIDE_UI: dict[str, str] = {}
QT_HOMES = ("workbench/ui/", "workbench/app.py")
QT_PACKAGES = frozenset({"PySide6", "shiboken6"})

#: Import cycles (as sorted module names) and why they are still there.
KNOWN_CYCLES: dict[tuple[str, ...], str] = {}


# -- reading the package ---------------------------------------------------------------------


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement except those under ``if TYPE_CHECKING:`` (its else runs)."""
    if isinstance(tree, ast.Import | ast.ImportFrom):
        yield tree
        return
    if isinstance(tree, ast.If) and _is_type_checking(tree.test):
        for node in tree.orelse:
            yield from _runtime_imports(node)
        return
    for child in ast.iter_child_nodes(tree):
        yield from _runtime_imports(child)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports (at run time, anywhere in the file)."""
    files = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names if alias.name in files)
                continue
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                if submodule in files:
                    targets.add(submodule)
                elif origin in files:
                    targets.add(origin)
        targets.discard(name)
        graph[name] = targets
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def module_sizes(root: Path) -> dict[str, int]:
    return {
        path.relative_to(root.parent).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(root.rglob("*.py"))
    }


def class_sizes(root: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                sizes[f"{relative}::{node.name}"] = node.end_lineno - node.lineno + 1
    return sizes


def _with_closures(functions: list[Function]) -> Iterator[Function]:
    for function in functions:
        yield function
        yield from _with_closures(function.closures)


def complexity_over(root: Path, worst: str) -> list[str]:
    """Every function or method under ``root`` whose cyclomatic grade is worse than ``worst``."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).as_posix()
        # cc_visit lists methods on their own next to their classes; closures only inside
        # the function that holds them, graded apart from it.
        blocks = cc_visit(path.read_text(encoding="utf-8"))
        for function in _with_closures([b for b in blocks if isinstance(b, Function)]):
            grade = cc_rank(function.complexity)
            if grade > worst:
                problems.append(
                    f"{relative}:{function.lineno}: {function.fullname} is grade {grade} "
                    f"(complexity {function.complexity}; at most {worst}): split it"
                )
    return problems


def qt_importers(root: Path) -> set[str]:
    """The files that import PySide6 or shiboken6 themselves (TYPE_CHECKING-only ones too)."""
    found: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            if any(name.partition(".")[0] in QT_PACKAGES for name in names):
                found.add(path.relative_to(root.parent).as_posix())
    return found


MD_REFERENCE = re.compile(r"[\w./-]*\w\.md\b")
CITING = {"workbench", "tests", "docs", "README.md"}


def unresolved_md_references(root: Path) -> list[str]:
    """Every ``*.md`` named in the package, the tests or the docs that is not a file here.

    A name resolves from the repository's root, from the citing file's folder, or (a bare file
    name) as any file of that name in the repository.
    """
    files = [
        path
        for path in root.rglob("*")
        if path.is_file() and not {".git", "node_modules", ".venv"} & set(path.parts)
    ]
    names = {path.name for path in files}
    problems = []
    for path in files:
        where = path.relative_to(root)
        if path.suffix not in {".py", ".md"} or where.parts[0] not in CITING:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for ref in MD_REFERENCE.findall(line):
                if (root / ref).is_file() or (path.parent / ref).is_file():
                    continue
                if "/" not in ref and ref in names:
                    continue
                problems.append(f"{where.as_posix()}:{number}: {ref}")
    return sorted(problems)


def _over(sizes: Mapping[str, int], limit: int, allowed: Mapping[str, str]) -> list[str]:
    problems = [
        f"{name}: {lines} lines (limit {limit}); split it, or name it with the reason"
        for name, lines in sorted(sizes.items())
        if lines > limit and name not in allowed
    ]
    problems += [
        f"{name}: allowed over {limit} lines but "
        + ("no longer exists" if name not in sizes else f"has {sizes[name]}")
        + "; remove it from the allow-list"
        for name in sorted(allowed)
        if sizes.get(name, 0) <= limit
    ]
    return problems


# -- the rules ---------------------------------------------------------------------------------


def test_no_import_cycle() -> None:
    found = cycles(import_graph(PACKAGE))
    new = [cycle for cycle in found if cycle not in KNOWN_CYCLES]
    gone = [cycle for cycle in KNOWN_CYCLES if cycle not in found]
    assert not new, f"import cycles between files: {new}"
    assert not gone, f"no longer cycles, remove them from KNOWN_CYCLES: {gone}"


def test_module_sizes() -> None:
    sizes = module_sizes(PACKAGE)
    print("largest modules:", sorted(sizes.items(), key=lambda item: -item[1])[:5])
    problems = _over(sizes, MODULE_LIMIT, LARGE_MODULES)
    assert not problems, "\n".join(problems)


def test_class_sizes() -> None:
    sizes = class_sizes(PACKAGE)
    print("largest classes:", sorted(sizes.items(), key=lambda item: -item[1])[:5])
    problems = _over(sizes, CLASS_LIMIT, LARGE_CLASSES)
    assert not problems, "\n".join(problems)


def test_core_functions_are_at_most_grade_c() -> None:
    problems = complexity_over(COMPLEX_FREE, COMPLEXITY_GRADE)
    assert not problems, "\n".join(problems)


def test_qt_only_inside_the_desktop_app() -> None:
    # The import-linter contract covers core, demo and cli with what they import indirectly;
    # this covers every other file, present or future, for its own imports.
    outside = {path for path in qt_importers(PACKAGE) if not path.startswith(QT_HOMES)}
    assert outside <= set(QT_OUTSIDE_UI), f"Qt imported outside ui/ and app.py: {outside}"
    stale = set(QT_OUTSIDE_UI) - outside
    assert not stale, f"no longer import Qt, remove them from QT_OUTSIDE_UI: {stale}"


def test_the_cognito_contract_covers_all_of_the_core() -> None:
    # Every top-level module or package of workbench/core is named by the import contract: the
    # Cognito package as forbidden, every other one as a source that may not import them.
    # A new core module thus joins the contract instead of escaping it.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["name"] == "The generic OAuth core never imports the Cognito modules"
    ]
    core = PACKAGE / "core"
    names = {
        f"workbench.core.{path.stem if path.is_file() else path.name}"
        for path in core.iterdir()
        if (path.suffix == ".py" and path.name != "__init__.py") or (path / "__init__.py").exists()
    }
    cognito = {name for name in names if name.rpartition(".")[2].startswith("cognito")}
    assert set(contract["forbidden_modules"]) == cognito
    assert set(contract["source_modules"]) == names - cognito


def test_every_md_reference_is_a_file_of_the_repository() -> None:
    problems = unresolved_md_references(ROOT)
    assert not problems, "cited but not in the repository:\n" + "\n".join(problems)


def test_every_allowance_has_a_reason() -> None:
    allowances = [*LARGE_MODULES.items(), *LARGE_CLASSES.items(), *QT_OUTSIDE_UI.items()]
    for name, reason in allowances:
        assert len(reason.split()) >= 4, name
    for cycle, reason in KNOWN_CYCLES.items():
        assert cycle == tuple(sorted(cycle)) and len(reason.split()) >= 4, cycle


# -- the checks themselves, on a package written for the purpose -------------------------------


def _package(tmp_path: Path, files: Mapping[str, str]) -> Path:
    root = tmp_path / "pkg"
    for relative, text in {"__init__.py": "", **files}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_cycle_through_a_deferred_import_is_found(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "a.py": "from pkg import b\n",
            "b.py": "def later():\n    from pkg.sub.c import value\n",
            "sub/__init__.py": "",
            "sub/c.py": "from .. import a\nvalue = 1\n",
            "d.py": "import pkg.a\n",
        },
    )
    assert cycles(import_graph(root)) == [("pkg.a", "pkg.b", "pkg.sub.c")]


def test_a_type_checking_import_makes_no_cycle(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "a.py": "from pkg.b import B\n",
            "b.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg.a import A\n"
                "else:\n    import json\n"
                "class B: ...\n"
            ),
        },
    )
    graph = import_graph(root)
    assert graph["pkg.a"] == {"pkg.b"} and graph["pkg.b"] == set()
    assert cycles(graph) == []


def test_sizes_over_the_limit_and_stale_allowances_are_reported(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {"big.py": "class Big:\n" + "    x = 1\n" * 5, "small.py": "class Small:\n    pass\n"},
    )
    modules, classes = module_sizes(root), class_sizes(root)
    assert modules["pkg/big.py"] == 6 and classes["pkg/big.py::Big"] == 6
    assert len(_over(modules, 5, {})) == 1
    assert _over(modules, 5, {"pkg/big.py": "a reason"}) == []
    stale = _over(modules, 5, {"pkg/big.py": "a reason", "pkg/small.py": "a reason"})
    assert len(stale) == 1 and "pkg/small.py" in stale[0]
    assert "no longer exists" in _over(classes, 5, {"pkg/big.py::Big": "r", "pkg/x.py::X": "r"})[0]


def test_functions_above_the_grade_are_reported(tmp_path: Path) -> None:
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(12))
    root = _package(
        tmp_path,
        {
            "a.py": f"def simple(x):\n    return x\n\n\ndef branchy(x):\n{branches}    return x\n",
            "b.py": "class K:\n    def m(self, x):\n        def inner(y):\n"
            + branches.replace("    ", "            ").replace("x ==", "y ==")
            + "            return y\n        return inner\n",
        },
    )
    found = complexity_over(root, "B")
    assert len(found) == 2, found
    assert found[0].startswith("pkg/a.py:5: branchy is grade C")
    assert "inner is grade C" in found[1]
    assert complexity_over(root, "C") == []


def test_unresolved_md_references_are_found(tmp_path: Path) -> None:
    md = ".md"  # spelled apart, so that this file cites no note itself
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / f"design{md}").write_text("see README" + md + "\n", encoding="utf-8")
    (tmp_path / f"README{md}").write_text(f"docs/design{md}, docs/gone{md}\n", encoding="utf-8")
    (tmp_path / "workbench").mkdir()
    (tmp_path / "workbench" / "a.py").write_text(f'"""notes{md}, design{md}"""\n')
    assert unresolved_md_references(tmp_path) == [
        f"README{md}:1: docs/gone{md}",
        f"workbench/a.py:1: notes{md}",
    ]


def test_qt_importers_are_found(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "a.py": "import PySide6.QtCore\n",
            "b.py": "def f():\n    from shiboken6 import isValid\n",
            "c.py": "from .PySide6 import x\nimport PySide6x\n",
        },
    )
    assert qt_importers(root) == {"pkg/a.py", "pkg/b.py"}


@pytest.mark.parametrize("limit", [MODULE_LIMIT, CLASS_LIMIT])
def test_limits_are_the_documented_ones(limit: int) -> None:
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    assert f"{limit} lines" in design
