"""The only package that touches the DB's files: the store (store.py, with its load,
records and anchor mixins), the journal and private writes (diskio.py), record checks,
the client-list summary, format and migrations, encryption and rekeying, autosave,
backups and their checks, doctor and set-aside, the audit log, and crash reports.

May import: meetings, cope, content and the leaves (the record models, to check what is
stored). Never the session, search, export, the CLI or the UI.
"""
