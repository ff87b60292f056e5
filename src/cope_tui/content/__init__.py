"""The content files (*.toml) and their loaders: the meeting guide (meeting.toml), the
six helping stages, and the COPE exercise's self-assessment guides, client interview,
record review and culture of service. Each file is validated on load; a broken one is
a ContentError naming the file, the field and the fix.

May import: the leaves only. Everything else may import it.
"""
