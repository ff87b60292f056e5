"""The command line: the parser, one module per command, shared helpers. May import
everything but the UI packages, and the app only to launch it.
"""
