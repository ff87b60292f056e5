"""cope-tui: guided client meetings and COPE exercises in the terminal."""

# The one place the version is written; pyproject.toml reads it from here.
__version__ = "0.1.0"
