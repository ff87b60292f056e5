"""Full screens: the client list, a client, a meeting, case plan, follow-through,
handover, search, export preview, the COPE exercises and one exercise.

A screen may import widgets, dialogs and the domain, never another screen: to open one
it posts a message (widgets/navigation.py) and the app pushes it (app.py).
"""
