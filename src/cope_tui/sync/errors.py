"""Everything that can stop a sync, each kind with its own message.

A message says what happened and what to do, names the server by its address only
(never a user name, password or passphrase, never a record's content), and, where it
matters, that nothing was lost.
"""

from __future__ import annotations

KEPT = "Nothing was lost: your changes stay here and go with the next sync."


class SyncError(Exception):
    """A sync that could not finish; str() is the whole message for the user."""


class BadRemote(SyncError):
    """The remote's address cannot be used as given."""


class Offline(SyncError):
    """The server could not be reached, or the connection dropped."""


class TimedOut(Offline):
    """The server took too long to answer."""


class AuthFailed(SyncError):
    """401: the user name and password were not accepted (or none were given)."""


class Forbidden(SyncError):
    """403: the user is not a member of the database."""


class NoDatabase(SyncError):
    """404 on the database itself."""


class ServerFailed(SyncError):
    """5xx: the server's own failure."""


class BadServer(SyncError):
    """An answer that is not what CouchDB's protocol says: not JSON, or the wrong shape."""


class NotATeam(SyncError):
    """The database holds something other than a cope-tui team's records."""


class NoTeamYet(SyncError):
    """The database is empty: the first member to sync starts the team there."""


class WrongTeamPassphrase(SyncError):
    """The team passphrase does not open this team's records."""


class TeamChanged(SyncError):
    """The team's key document on the server is not the one this DB synced with before."""


class Refused(SyncError):
    """Versions on the server failed their authentication check; they were not applied."""


class StateDamaged(SyncError):
    """The local sync-state file cannot be read."""


class FormChanged(SyncError):
    """The DB was encrypted, decrypted or re-keyed under a running sync: it writes no more."""


class Cancelled(SyncError):
    """The caller asked the sync to stop; what was done so far is kept."""


class NeedInput(SyncError):
    """A passphrase, name or login is needed and there is no terminal to ask at."""


class TeamPassphraseChanged(NeedInput):
    """A member changed the team passphrase while this engine was connected with the old one."""
