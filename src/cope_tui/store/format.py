"""The DB file's format: what names a file as cope-tui's, its tables, its version.

Every reader reads `SCHEMA` from here, as `format.SCHEMA`, when it runs (never a copy
taken at import): a test, or an upgrade being written, changes it in one place. To
change the layout, bump it and register the upgrade step in migrations.py.
"""

from __future__ import annotations

APP_ID = "cope-tui"
SCHEMA = 1
TABLES = ("meta", "clients", "meetings", "exercises")
