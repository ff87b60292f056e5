"""Markdown documents: meetings, clients, case plans, handovers, exercises, and the
two-process export of everything. May import: session, search, store and below.
"""
