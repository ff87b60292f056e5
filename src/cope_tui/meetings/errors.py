"""The meetings' own error: an action the rules refuse, the message saying why and what to
do. Its own module so every rules module (meeting, stages, case plan) can raise it and
its kinds without importing one another.
"""

from __future__ import annotations


class MeetingError(ValueError):
    """A meeting action that cannot be done; the message says why and what to do."""
