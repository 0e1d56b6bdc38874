"""The terminal user interface (Textual). Importing it makes the terminal edge safe for every app
it holds (the clerk's, the display's, the rating pad's): see safe_output.py."""

from clerk_tui.ui.safe_output import install as _install_safe_output

_install_safe_output()
