"""tabs of the desktop workbench."""
