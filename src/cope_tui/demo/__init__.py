"""Sample data for trying cope-tui out, all fictional and the same for the same seed:
clients and meetings (writer.py, with journey, case plan and follow-through), COPE
exercises (exercise.py), and the phrases they are written from.

May import: session, search, sync, store, meetings, cope, content and the leaves.
Never export (the two are independent), the CLI or the UI.
"""
