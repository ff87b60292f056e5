"""`python -m cope_tui.cli`: the command line, as the console script runs it."""

from .main import run

run()
