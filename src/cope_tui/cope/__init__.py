"""COPE exercises, a service looking at itself: the exercise record and its rules
(exercise.py), the client-flow day (client_flow.py) and its register (flow_register.py).

May import: content and the leaves. Never meetings (the two are independent), the
store or the UI.
"""
