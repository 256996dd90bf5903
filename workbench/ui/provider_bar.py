"""The provider bar: pick a saved profile (or the demo provider), create, edit or delete one."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.errors import ConfigError, WorkbenchError
from workbench.core.model import Provider, TokenActions
from workbench.core.oauth.discovery import (
    OIDC_LABEL,
    RFC8414_LABEL,
    ServerMetadata,
    describe_sources,
)
from workbench.core.profiles import Profile
from workbench.core.session import OAuthSession
from workbench.ui import metrics
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog
from workbench.ui.safe_text import tooltip
from workbench.ui.state import AppState
from workbench.ui.widgets.banners import MessageBanner

DEMO_PREFIX = "Demo"


@dataclass(frozen=True)
class DemoChoice:
    """A built-in provider for the embedded demo server (not saved: its port changes)."""

    label: str
    provider: Provider


@dataclass(frozen=True)
class TabChoice:
    """The provider a flow tab chose (the Cognito tab's pool), with its door: one entry per tab,
    replaced when the tab chooses again; picking it restores that provider as the tab set it."""

    label: str
    provider: Provider
    door: TokenActions | None
    by: str  # the tab's title


def tab_choice(provider: Provider, door: TokenActions | None, by: str) -> TabChoice:
    name = provider.name or provider.issuer or "Provider"
    where = f"from the {by} tab" if by else "set outside the provider bar"
    return TabChoice(f"{name} — {where}", provider, door, by)


def demo_choices(issuer: str) -> list[DemoChoice]:
    from workbench.demo.clients import demo_provider

    confidential = "Demo — confidential client"
    native = "Demo — native app (public client)"
    return [
        DemoChoice(confidential, demo_provider(issuer, name=confidential)),
        DemoChoice(native, demo_provider(issuer, public=True, name=native)),
    ]


class ProviderBar(QWidget):
    """Profile picker and editor buttons; selecting an entry sets the state's provider."""

    sig_profiles_changed = Signal()
    """A profile was created, edited or deleted."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("providerBar")
        self._demo: list[DemoChoice] = []
        self._from_tabs: dict[str, TabChoice] = {}  # by the tab's title
        self.picker = QComboBox(self)
        self.picker.setObjectName("providerPicker")
        self.picker.setAccessibleName("Provider")
        self.picker.setToolTip("Provider profile (Ctrl+P)")
        self.picker.setMinimumContentsLength(metrics.PROVIDER_PICKER_MIN_CHARS)
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.picker.currentIndexChanged.connect(self._on_picked)
        self.new_button = self._button("providerNew", "New…", "New provider profile")
        self.edit_button = self._button("providerEdit", "Edit…", "Edit this provider profile")
        self.delete_button = self._button("providerDelete", "Delete", "Delete this profile")
        self.new_button.clicked.connect(self._on_new)
        self.edit_button.clicked.connect(self._on_edit)
        self.delete_button.clicked.connect(self._on_delete)
        self.info = QLabel("", self)
        self.info.setObjectName("providerInfo")
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setAccessibleName("Provider details")
        self._details = ""  # the info text before discovery adds where the metadata came from
        self.banner = MessageBanner("error", self, state.log.secrets)
        self.banner.setObjectName("providerError")
        label = QLabel("&Provider", self)
        label.setBuddy(self.picker)
        row = QHBoxLayout()
        row.setContentsMargins(metrics.MARGIN, metrics.MARGIN // 2, metrics.MARGIN, 0)
        row.addWidget(label)
        row.addWidget(self.picker)
        row.addWidget(self.new_button)
        row.addWidget(self.edit_button)
        row.addWidget(self.delete_button)
        row.addWidget(self.info, 1)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(row, 1)
        state.sig_provider_changed.connect(self._on_provider_changed)
        state.sig_metadata.connect(self._on_metadata)

    def _button(self, name: str, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(accessible)
        return button

    # -- entries ----------------------------------------------------------------------------
    def set_demo_issuer(self, issuer: str) -> None:
        self._demo = demo_choices(issuer)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Refill the picker: demo entries first, then saved profiles by name, then the providers
        flow tabs chose."""
        current = select or self.picker.currentText()
        self.picker.blockSignals(True)
        self.picker.clear()
        for choice in self._demo:
            self.picker.addItem(choice.label, choice)
        try:
            profiles = self.state.profiles.load_all()
        except WorkbenchError as exc:
            profiles = {}
            self.banner.show_error(exc)
        for name in sorted(profiles, key=str.lower):
            self.picker.addItem(name, profiles[name])
        for tab in self._from_tabs.values():
            self.picker.addItem(tab.label, tab)
        if self.picker.count() == 0:
            self.picker.addItem("No provider yet: click New…", None)
        index = self.picker.findText(current) if current else -1
        self.picker.setCurrentIndex(max(index, 0))
        self.picker.blockSignals(False)
        self._on_picked(self.picker.currentIndex())

    def _on_picked(self, index: int) -> None:
        entry = self.picker.itemData(index)
        is_profile = isinstance(entry, Profile)
        self.edit_button.setEnabled(is_profile)
        self.delete_button.setEnabled(is_profile)
        if entry is None:
            self.info.setText("Create a provider profile to start.")
            if self.state.provider is not None:
                self.state.clear_provider()  # its profile was deleted: nothing is chosen now
            return
        self.banner.hide()
        if isinstance(entry, DemoChoice):
            self.state.set_provider(entry.provider)
        elif isinstance(entry, TabChoice):  # one a tab chose earlier: again as the tab set it
            self.state.set_provider(entry.provider, entry.door, by=entry.by)
        else:
            try:
                provider = entry.to_provider(self.state.secrets)
            except ConfigError as exc:  # its DPoP key file cannot be read, say
                self.info.setText(printable(f"{entry.name}: {exc}"))
                return
            self.state.set_provider(provider)

    def _on_provider_changed(self, provider: Provider | None) -> None:
        if provider is None:
            self.info.setText("Create a provider profile to start.")
            self.info.setToolTip("")
            return
        self._show_in_picker(provider)
        where = provider.issuer or provider.endpoints.get("token_endpoint", "manual endpoints")
        method = provider.client.method
        secret = {"none": "public client", "private_key_jwt": "with private key"}.get(
            method, "with secret"
        )
        tls = "" if provider.verify_tls else "  ·  TLS verification OFF"
        self.info.setText(
            printable(f"{where}  ·  {provider.client.client_id or 'no client id'} ({secret}){tls}")
        )
        self.info.setToolTip(self.state.secrets.where())
        self._details = self.info.text()

    def _on_metadata(self, session: OAuthSession, meta: ServerMetadata) -> None:
        """Discovery ran: say which documents the metadata came from (details in the tooltip)."""
        if session is not self.state.session or not meta.documents:
            return
        short = {OIDC_LABEL: "OIDC", RFC8414_LABEL: "RFC 8414"}  # the bar is one line
        used = [short.get(d.label, d.label) for d in meta.documents if d.status == "used"]
        refused = [short.get(d.label, d.label) for d in meta.documents if d.status == "refused"]
        summary = "metadata: " + " + ".join(used)
        if refused:
            summary += f" ({', '.join(refused)} refused)"
        self.info.setText(self._details + printable(f"  ·  {summary}"))
        lines = [self.state.secrets.where(), "", "Discovery:", *describe_sources(meta)]
        self.info.setToolTip(tooltip("\n".join(lines)))

    def _show_in_picker(self, provider: Provider) -> None:
        """Keep the picker truthful when a provider comes from elsewhere (the Cognito tab): one
        entry per tab, naming it, that picks the provider again with its door."""
        current = self.picker.currentData()
        if isinstance(current, DemoChoice) and current.provider == provider:
            return
        if isinstance(current, Profile) and current.name == provider.name:
            return
        door = self.state.session.door if self.state.session is not None else None
        by = self.state.provider_by
        if isinstance(current, TabChoice) and (current.provider, current.door) == (provider, door):
            return
        choice = tab_choice(provider, door, by)
        self.picker.blockSignals(True)
        index = self._tab_index(by)
        if index < 0:
            self.picker.addItem(choice.label, choice)
            index = self.picker.count() - 1
        else:
            self.picker.setItemText(index, choice.label)
            self.picker.setItemData(index, choice)
        self._from_tabs[by] = choice
        self.picker.setCurrentIndex(index)
        self.picker.blockSignals(False)
        self.edit_button.setEnabled(False)
        self.delete_button.setEnabled(False)

    def _tab_index(self, by: str) -> int:
        """The picker's entry for the provider the tab ``by`` chose, or -1."""
        for index in range(self.picker.count()):
            entry = self.picker.itemData(index)
            if isinstance(entry, TabChoice) and entry.by == by:
                return index
        return -1

    # -- editing ----------------------------------------------------------------------------
    def _open_editor(self, profile: Profile | None) -> None:
        dialog = ProfileEditorDialog(self.state, profile, self.window())
        if dialog.exec() == ProfileEditorDialog.DialogCode.Accepted:
            self.reload(select=dialog.saved_profile.name)
            self.sig_profiles_changed.emit()

    def _on_new(self) -> None:
        self._open_editor(None)

    def _on_edit(self) -> None:
        entry = self.picker.currentData()
        if isinstance(entry, Profile):
            self._open_editor(entry)

    def _on_delete(self) -> None:
        entry = self.picker.currentData()
        if not isinstance(entry, Profile):
            return
        answer = QMessageBox.question(
            self,
            "Delete profile",
            f"Delete the profile “{entry.name}” and its stored secret?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.state.profiles.delete(entry.name)
            self.state.secrets.delete(entry.name)
            self.reload()
            self.sig_profiles_changed.emit()
