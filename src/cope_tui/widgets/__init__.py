"""Reusable widgets and the small UI helpers screens share: a meeting step, a list
editor, the case-plan summary, the command palette, key order, and the navigation
messages screens post (navigation.py).

A widget may import dialogs and the domain, never a screen.
"""
