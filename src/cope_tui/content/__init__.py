"""Content files and their loaders: the meeting guide, the helping stages, the COPE
guides, interview, record review and culture of service. May import: the leaves.
"""
