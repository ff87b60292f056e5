"""Markdown documents from the stored records: meetings and clients (documents.py, with
render.py and format.py), case plans, handovers, follow-through, COPE exercise reports,
and the two-process export of everything (parallel.py). Every typed text passes mdsafe.

May import: session, search, sync, store, meetings, cope, content and the leaves.
Never demo (the two are independent), the CLI or the UI.
"""
