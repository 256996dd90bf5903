"""The Cognito tab (:mod:`~workbench.ui.cognito.tab`) and its sections: the pool form, the sign-in
section, the token panel, the hosted panel, the pool insight and their dialogs."""
