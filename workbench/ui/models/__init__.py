"""models of the desktop workbench."""
