"""widgets of the desktop workbench."""
