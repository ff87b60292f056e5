"""The only package that touches files: the store and its journal, record checks,
summary, migrations, encryption, backups, doctor, audit log and anchors. May import:
meetings, cope, content and the leaves.
"""
