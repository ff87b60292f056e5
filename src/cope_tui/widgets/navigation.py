"""What a screen or widget asks the app to open.

The app owns navigation (app.py): a screen posts one of these messages and
the app pushes the screen asked for, or says why not (that record is already open
further back). So no screen imports another to push it, and the rule about one screen
per record lives in one place. A message posted by a screen or a widget bubbles up to
the app; anything else (the command palette) posts it to the app directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from ..meetings.models import Meeting


class OpenClient(Message):
    """One client's screen: who they are and their meetings."""

    def __init__(self, client_id: str) -> None:
        super().__init__()
        self.client_id = client_id


class OpenMeeting(Message):
    """A meeting, at `step` when given (a search match), else where it stopped."""

    def __init__(self, meeting_id: str, step: str | None = None) -> None:
        super().__init__()
        self.meeting_id = meeting_id
        self.step = step


class OpenExercises(Message):
    """The list of COPE exercises, the second area beside the clients."""


class OpenExercise(Message):
    """One COPE exercise, at `section` when given, else its overview."""

    def __init__(self, exercise_id: str, section: str | None = None) -> None:
        super().__init__()
        self.exercise_id = exercise_id
        self.section = section


class OpenCasePlan(Message):
    """A client's case plan: goals, indicators, progress."""

    def __init__(self, client_id: str) -> None:
        super().__init__()
        self.client_id = client_id


class OpenFollowThrough(Message):
    """Action items, referrals and next meetings: of one client, or of all (None)."""

    def __init__(self, client_id: str | None = None) -> None:
        super().__init__()
        self.client_id = client_id


class OpenHandover(Message):
    """A client's handover, written before closing the client."""

    def __init__(self, client_id: str) -> None:
        super().__init__()
        self.client_id = client_id


class ShowExport(Message):
    """The Markdown preview of a meeting (`meeting_id`, with the copy being edited when
    given), of a client, or of a client's handover (`handover`)."""

    def __init__(
        self,
        *,
        client_id: str | None = None,
        meeting_id: str | None = None,
        meeting: Meeting | None = None,
        handover: bool = False,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.meeting_id = meeting_id
        self.meeting = meeting
        self.handover = handover
