"""Test users of the pool: list, create, set a password, delete (after a confirmation), and sign
up + confirm through the app client.

:class:`UsersPanel` is a collapsible view beside the pool insight. It shows and asks; the
Cognito tab runs the calls (:mod:`workbench.ui.cognito.user_actions`, in workers, through
:class:`~workbench.core.cognito.users.CognitoUsers`) and hands the answers back through
:meth:`UsersPanel.show_users` and :meth:`UsersPanel.show_result`. Passwords are typed into a
hidden field and never shown; they leave it only for the call.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QFrame,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.cognito.users import UserList
from workbench.core.display import printable
from workbench.ui import metrics
from workbench.ui.cognito.parts import KEY, button, line, note
from workbench.ui.safe_text import html_text, set_plain
from workbench.ui.theme import insight_stylesheet
from workbench.ui.widgets.flow_layout import FlowLayout
from workbench.ui.widgets.fold import FoldToggle, fold_layout

#: The users list's columns.
COLUMNS = ("Username", "Status", "Email", "Enabled")


class UsersPanel(QFrame):
    """Collapsible: the pool's users and the calls that make and remove test users."""

    sig_list_requested = Signal()
    """List the pool's users (ListUsers)."""
    sig_create_requested = Signal()
    """Create the user of the fields (AdminCreateUser)."""
    sig_set_password_requested = Signal()
    """Set the password of the fields' user (AdminSetUserPassword)."""
    sig_delete_confirmed = Signal(str)
    """The person confirmed deleting this user (AdminDeleteUser)."""
    sig_sign_up_requested = Signal()
    """Sign the fields' user up (SignUp)."""
    sig_confirm_requested = Signal()
    """Confirm the fields' user with the code (ConfirmSignUp)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{KEY}Users")
        self.setAccessibleName("Test users")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(insight_stylesheet())
        self.confirm_box: QMessageBox | None = None
        self.listed: UserList | None = None

        self.toggle = FoldToggle(
            self,
            f"{KEY}UsersToggle",
            "Show or hide the test users",
            "Test users",
            "List, create, set the password of and delete users of the pool; sign up and confirm",
        )
        self.toggle.toggled.connect(self._on_toggled)

        self.content = QWidget(self)
        self.content.setObjectName(f"{KEY}UsersContent")
        self._build_content()
        fold_layout(self, self.toggle, self.content)

    # -- building ---------------------------------------------------------------------------
    def _build_content(self) -> None:
        box = self.content
        hint = note(
            box,
            "usersHint",
            "The admin calls (list, create, set password, delete) are signed with AWS "
            "credentials; sign-up and confirm go through the app client, with a SECRET_HASH "
            "when it has a secret. Every call is in the exchange log, passwords and codes masked.",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.username_edit = line(box, form, "usersUsername", "User name", "tester1")
        self.password_edit = line(
            box,
            form,
            "usersPassword",
            "Password",
            "for create (temporary), set password, sign up",
            "Never shown nor saved; masked in the exchange log",
        )
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.email_edit = line(box, form, "usersEmail", "Email (optional)", "tester1@example.com")
        self.code_edit = line(box, form, "usersCode", "Code", "the code Cognito sent")
        self.permanent_check = QCheckBox("Permanent password (no NEW_PASSWORD_REQUIRED)", box)
        self.permanent_check.setObjectName(f"{KEY}_usersPermanent")
        self.permanent_check.setAccessibleName("Permanent password")
        self.permanent_check.setToolTip(
            "AdminSetUserPassword Permanent: the user is confirmed and signs in with it"
        )
        form.addRow("", self.permanent_check)

        self.list_button = self._button("List", "List users", "ListUsers, page by page")
        self.create_button = self._button(
            "Create",
            "Create user",
            "AdminCreateUser with the password as the temporary one (no invitation sent)",
        )
        self.set_password_button = self._button(
            "SetPassword", "Set password", "AdminSetUserPassword (temporary unless Permanent)"
        )
        self.delete_button = self._button(
            "Delete", "Delete user…", "AdminDeleteUser, after a confirmation"
        )
        self.sign_up_button = self._button("SignUp", "Sign up", "SignUp through the app client")
        self.confirm_button = self._button(
            "Confirm", "Confirm sign-up", "ConfirmSignUp with the code Cognito sent"
        )
        for widget, signal in (
            (self.list_button, self.sig_list_requested),
            (self.create_button, self.sig_create_requested),
            (self.set_password_button, self.sig_set_password_requested),
            (self.sign_up_button, self.sig_sign_up_requested),
            (self.confirm_button, self.sig_confirm_requested),
        ):
            widget.clicked.connect(signal)
        self.delete_button.clicked.connect(self.ask_to_delete)
        actions = QWidget(box)
        actions.setObjectName(f"{KEY}UsersActions")
        buttons = FlowLayout(actions, metrics.SPACING)  # wraps in a narrow tab
        for widget in self.buttons():
            buttons.addWidget(widget)

        self.users_tree = QTreeWidget(box)
        self.users_tree.setObjectName(f"{KEY}UsersList")
        self.users_tree.setAccessibleName("Users of the pool")
        self.users_tree.setHeaderLabels(list(COLUMNS))
        self.users_tree.setRootIsDecorated(False)
        self.users_tree.setUniformRowHeights(True)
        self.users_tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.users_tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.users_tree.setFixedHeight(metrics.line_height(self.users_tree, 8))
        self.users_tree.itemSelectionChanged.connect(self._on_selected)
        self.result_label = note(box, "usersResult", secondary=False)
        self.result_label.setAccessibleName("What the last user call answered")

        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(actions)
        layout.addWidget(self.users_tree)
        layout.addWidget(self.result_label)

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        return button(self.content, f"Users{name}", text, text.rstrip("…"), tip)

    def buttons(self) -> list[QPushButton]:
        return [
            self.list_button,
            self.create_button,
            self.set_password_button,
            self.delete_button,
            self.sign_up_button,
            self.confirm_button,
        ]

    def focus_chain(self) -> list[QWidget]:
        """The toggle, the fields, the buttons and the list, in the order Tab moves."""
        return [
            self.toggle,
            self.username_edit,
            self.password_edit,
            self.email_edit,
            self.code_edit,
            self.permanent_check,
            *self.buttons(),
            self.users_tree,
        ]

    # -- reading ----------------------------------------------------------------------------
    @property
    def username(self) -> str:
        return self.username_edit.text().strip()

    @property
    def password(self) -> str:
        return self.password_edit.text()

    @property
    def attributes(self) -> dict[str, str]:
        email = self.email_edit.text().strip()
        return {"email": email} if email else {}

    @property
    def code(self) -> str:
        return self.code_edit.text().strip()

    # -- showing ----------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        for widget in self.buttons():
            widget.setEnabled(not busy)

    def show_users(self, listed: UserList) -> None:
        """Fill the list; the user of the fields stays selected if listed."""
        self.listed = listed
        blocker = QSignalBlocker(self.users_tree)  # refilling picks no user for the fields
        self.users_tree.clear()
        for user in listed.users:
            row = [user.username, user.status, user.email, "yes" if user.enabled else "no"]
            item = QTreeWidgetItem([printable(text) for text in row])
            self.users_tree.addTopLevelItem(item)
            if user.username == self.username:
                self.users_tree.setCurrentItem(item)
        blocker.unblock()
        count = len(listed.users)
        more = " (the pool has more: only the first ones are listed)" if listed.truncated else ""
        self.show_result(f"{count} user{'s' if count != 1 else ''} in the pool{more}.")

    def show_result(self, text: str) -> None:
        set_plain(self.result_label, text)

    def clear_secrets(self) -> None:
        """The password and the code are for one call: gone once it went through."""
        self.password_edit.clear()
        self.code_edit.clear()

    def listed_names(self) -> list[str]:
        tree = self.users_tree
        items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
        return [item.text(0) for item in items if item is not None]

    def ask_to_delete(self) -> QMessageBox | None:
        """Ask before deleting the fields' user (Cancel by default); Delete emits
        :attr:`sig_delete_confirmed`. Returns the (window-modal) box, or None without a name."""
        username = self.username
        if not username:
            self.show_result("Enter or pick the user to delete first.")
            return None
        box = QMessageBox(self.window())
        box.setObjectName(f"{KEY}ConfirmDeleteUser")
        box.setAccessibleName("Confirm deleting the user")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete the user?")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"Delete the user “{html_text(username)}” from the pool?")
        box.setInformativeText("AdminDeleteUser cannot be undone.")
        delete = box.addButton("Delete user", QMessageBox.ButtonRole.DestructiveRole)
        delete.setObjectName(f"{KEY}ConfirmDeleteUserYes")
        delete.setAccessibleName("Delete the user")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName(f"{KEY}ConfirmDeleteUserCancel")
        cancel.setAccessibleName("Cancel: delete nothing")
        box.setDefaultButton(cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_box = box
        box.finished.connect(self._confirmed(box, delete, username))
        box.open()
        return box

    def _confirmed(
        self, box: QMessageBox, delete: QPushButton, username: str
    ) -> Callable[[int], None]:
        def finished(_result: int) -> None:
            self.confirm_box = None
            if box.clickedButton() is delete:
                self.sig_delete_confirmed.emit(username)
            else:
                self.show_result(f"Nothing deleted: {username} is still in the pool.")

        return finished

    # -- slots ------------------------------------------------------------------------------
    def _on_toggled(self, expanded: bool) -> None:
        self.content.setVisible(expanded)

    def _on_selected(self) -> None:
        """A user picked in the list becomes the user of the fields."""
        picked = self.users_tree.selectedItems()
        if picked:
            self.username_edit.setText(picked[0].text(0))


__all__ = ["COLUMNS", "UsersPanel"]
