"""The command line: the parser (parser.py), one module per command (main.py runs the
app and the small commands; export, doctor, crypto and sync have their own), and what
they share (shared.py).

May import every package below it: export, demo, session, search, sync, store, meetings,
cope, content and the leaves; the app only to launch it (from inside a function, so
`--help`, `export` and `demo` never load Textual). Nothing imports the CLI.
"""
