"""cope-tui: guided client meetings and COPE exercises in the terminal.

The packages, from the top (each imports only those below it; pyproject.toml's
import-linter contracts say so, tests/unit/test_architecture.py checks it):
cli; app; screens; widgets; dialogs; export | demo; session | search | sync; store;
meetings | cope; content; the leaves: errors, paths, settings, records, mdsafe.
"""

# The one place the version is written; pyproject.toml reads it from here.
__version__ = "0.1.0"
