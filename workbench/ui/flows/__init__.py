"""The flow tabs: one registry, by tab key, in their order on screen.

Each entry names a tab by its key (``FlowTab.key``, the key a grant's ``tab`` names in the grant
registry, :mod:`workbench.core.oauth.grants`) and the class that builds it, as
``"module:Class"``. The main window builds one tab per entry of :func:`registered_tabs`; a tab's
module is imported when the tabs are built, not with this package (the Cognito tab, in
:mod:`workbench.ui.cognito`, imports this package's :mod:`~workbench.ui.flows.base`).

The order is the tabs' order on screen (and of their Ctrl+1…9, Ctrl+0 shortcuts, see
:func:`tab_shortcut`), which is not the grant
registry's order: that one is the command line's ``--grant`` choices. A tab that runs no grant
(the API tab, which uses the tokens the others got) is registered with ``grant=False``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.ui.flows.base import FlowTab

_TABS: dict[str, str] = {}
_TOOLS: set[str] = set()


def register_tab(key: str, target: str, *, grant: bool = True) -> None:
    """Add the tab ``key`` built by ``target`` (``"module:Class"``) after the ones registered;
    ``grant=False`` for a tab that runs no grant of the grant registry."""
    if not key or key in _TABS:
        raise ValueError(f"tab {key!r} is unnamed or taken")
    _TABS[key] = target
    if not grant:
        _TOOLS.add(key)


for _key, _target in (
    ("authCode", "workbench.ui.flows.auth_code:AuthCodeTab"),
    ("clientCredentials", "workbench.ui.flows.client_credentials:ClientCredentialsTab"),
    ("device", "workbench.ui.flows.device:DeviceFlowTab"),
    ("ciba", "workbench.ui.flows.ciba:CibaTab"),
    ("refresh", "workbench.ui.flows.refresh:RefreshTab"),
    ("tokenExchange", "workbench.ui.flows.token_exchange:TokenExchangeTab"),
    ("password", "workbench.ui.flows.password:PasswordTab"),
    ("implicit", "workbench.ui.flows.implicit:ImplicitTab"),
    ("cognito", "workbench.ui.cognito.tab:CognitoTab"),
):
    register_tab(_key, _target)
register_tab("api", "workbench.ui.flows.api_call:ApiTab", grant=False)


def tab_keys() -> tuple[str, ...]:
    """The registered tab keys, in their order on screen."""
    return tuple(_TABS)


def grant_tab_keys() -> tuple[str, ...]:
    """The keys of the tabs that run a grant, in their order on screen."""
    return tuple(key for key in _TABS if key not in _TOOLS)


def tab_class(key: str) -> type[FlowTab]:
    """The class of the tab ``key`` (a LookupError names the registered ones)."""
    try:
        module, name = _TABS[key].split(":")
    except KeyError:
        raise LookupError(f"no flow tab {key!r} (tabs: {', '.join(_TABS)})") from None
    cls: type[FlowTab] = getattr(import_module(module), name)
    if cls.key != key:
        raise LookupError(f"the flow tab registered as {key!r} is {cls.__name__}, key {cls.key!r}")
    return cls


def tab_shortcut(index: int) -> str | None:
    """The Flow menu's shortcut for the tab at ``index`` on screen: Ctrl+1… Ctrl+9 for the first
    nine, Ctrl+0 for the tenth (as browsers and editors count), none after it."""
    if 0 <= index < 9:
        return f"Ctrl+{index + 1}"
    return "Ctrl+0" if index == 9 else None


def registered_tabs() -> tuple[type[FlowTab], ...]:
    """The flow tab classes, in their order on screen."""
    return tuple(tab_class(key) for key in _TABS)


__all__ = [
    "grant_tab_keys",
    "register_tab",
    "registered_tabs",
    "tab_class",
    "tab_keys",
    "tab_shortcut",
]
