"""cope-tui: guided client meetings and COPE exercises in the terminal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cope-tui")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
