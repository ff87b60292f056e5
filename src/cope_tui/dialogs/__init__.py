"""Every ModalScreen: forms, questions and prompts (base.py Dialog, form.py FormDialog,
one stylesheet: dialogs.tcss), and the small parts every UI layer shares (parts.py,
notes_area.py, screen_keys.py).

The lowest UI layer: may import the domain, never screens or widgets, so that any
widget can open a dialog.
"""
