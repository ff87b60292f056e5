"""The DB file's format: what names a file as cope-tui's, its tables, its version.

Every reader reads `SCHEMA` from here, as `format.SCHEMA`, when it runs (never a copy
taken at import): a test, or an upgrade being written, changes it in one place. To
change the layout, bump it and register the upgrade step in migrations.py.
"""

from __future__ import annotations

APP_ID = "cope-tui"
# 2: the lean, numbered form of file_form.py (records in memory are as in 1).
SCHEMA = 2
TABLES = ("meta", "clients", "meetings", "exercises")
