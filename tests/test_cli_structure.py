"""The command line's shape: command modules apart, sharing only output, common and grants
(sizes and file-level cycles: tests/test_structure.py)."""

from __future__ import annotations

import argparse

import grimp

from workbench.__main__ import CLI_COMMANDS
from workbench.cli.main import build_parser

#: What every command module may import of the package: the shared helpers, nothing else.
SHARED = {"workbench.cli.output", "workbench.cli.common", "workbench.cli.grants"}
ENTRY = {"workbench.cli", "workbench.cli.main"}


def test_command_modules_import_only_the_shared_helpers_and_nothing_imports_back() -> None:
    graph = grimp.build_graph("workbench")
    modules = {m for m in graph.modules if m == "workbench.cli" or m.startswith("workbench.cli.")}
    for module in sorted(modules):
        imported = {m for m in graph.find_modules_directly_imported_by(module) if m in modules}
        if module in ENTRY:
            continue
        allowed = SHARED - {module}  # a shared helper may use another; cycles: test_structure
        assert imported <= allowed, (module, imported - allowed)
    # nothing below the entry point leads back to it (file-level cycles: tests/test_structure.py)
    for module in sorted(modules - ENTRY):
        assert not graph.chain_exists(importer=module, imported="workbench.cli.main"), module


def test_the_entry_point_knows_every_command_of_the_parser() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subparsers.choices) == CLI_COMMANDS
