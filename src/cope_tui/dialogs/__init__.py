"""Every ModalScreen: forms, questions and prompts. The lowest UI layer: may import
the domain, never screens or widgets.
"""
