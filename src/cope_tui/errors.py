"""Errors shared by light modules, importable without loading pydantic."""


class ContentError(Exception):
    """A content file is unusable; the message names the file, the field and the fix."""


class Failure(Exception):
    """An expected problem of a CLI command: its message goes to stderr and the exit code
    is 1. Defined here, not in the CLI: run as `python -m cope_tui.cli.main`, that module is
    loaded twice (as __main__ too), and a command module would raise the other copy."""
