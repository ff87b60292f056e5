"""The sample-data writer and its phrases (all fictional). May import: session,
search, store and below.
"""
