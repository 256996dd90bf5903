"""The command line's shape: small modules, no import cycle, command modules apart."""

from __future__ import annotations

import argparse
from pathlib import Path

import grimp

from workbench.__main__ import CLI_COMMANDS
from workbench.cli.main import build_parser

CLI_DIR = Path(__file__).resolve().parents[1] / "workbench" / "cli"
#: What every command module may import of the package: the shared helpers, nothing else.
SHARED = {"workbench.cli.output", "workbench.cli.common"}
ENTRY = {"workbench.cli", "workbench.cli.main"}


def test_no_module_above_600_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in CLI_DIR.glob("*.py")}
    print(sizes)
    assert sizes and max(sizes.values()) <= 600, sizes


def test_command_modules_import_only_the_shared_helpers_and_nothing_imports_back() -> None:
    graph = grimp.build_graph("workbench")
    modules = {m for m in graph.modules if m == "workbench.cli" or m.startswith("workbench.cli.")}
    for module in sorted(modules):
        imported = {m for m in graph.find_modules_directly_imported_by(module) if m in modules}
        if module in ENTRY:
            continue
        allowed = {"workbench.cli.output"} if module in SHARED else SHARED
        assert imported <= allowed, (module, imported - allowed)
    for module in sorted(modules - ENTRY):
        assert not (graph.find_modules_that_directly_import(module) & {"workbench.cli"}), module
    # no cycle: nothing the entry point imports leads back to it
    for module in sorted(modules - ENTRY):
        assert not graph.chain_exists(importer=module, imported="workbench.cli.main"), module


def test_the_entry_point_knows_every_command_of_the_parser() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subparsers.choices) == CLI_COMMANDS
