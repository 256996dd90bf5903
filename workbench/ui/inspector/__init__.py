"""The token inspector beside the flow tabs: claims, checks, server actions, reality check."""

from __future__ import annotations

from workbench.ui.inspector.claims_model import ClaimsTableModel
from workbench.ui.inspector.entries import TokenEntry
from workbench.ui.inspector.findings import FindingsView
from workbench.ui.inspector.inspector import TokenInspector
from workbench.ui.inspector.reality import RealityCheckPanel
from workbench.ui.inspector.results import ActionResultView

__all__ = [
    "ActionResultView",
    "ClaimsTableModel",
    "FindingsView",
    "RealityCheckPanel",
    "TokenEntry",
    "TokenInspector",
]
