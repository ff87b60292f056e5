"""Errors shared by light modules, importable without loading pydantic."""


class ContentError(Exception):
    """A content file is unusable; the message names the file, the field and the fix."""
