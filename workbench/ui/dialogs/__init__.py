"""dialogs of the desktop workbench."""
