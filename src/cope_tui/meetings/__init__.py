"""The client's journey, as pure rules on records: client and meeting models, what a
meeting may do (rules.py), helping stages, handover and closing (stages.py), the case
plan, follow-through, and the hash a finalised meeting is signed with (signing.py).
Nothing here reads or writes a file: session.py applies these rules to the store.

May import: content and the leaves. Never cope (the two are independent), the store,
the session or the UI.
"""
