"""Counted words in messages: '1 file' and '2 files', never one form for both."""

from __future__ import annotations


def counted(n: int, word: str, plural: str | None = None) -> str:
    """`n` and `word`, in the plural (`plural`, else word + 's') unless n is 1."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def agrees(n: int, one: str, many: str) -> str:
    """The verb that goes with `n` things: agrees(n, 'was', 'were')."""
    return one if n == 1 else many
