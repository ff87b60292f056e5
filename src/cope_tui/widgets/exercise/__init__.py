"""The panels of a COPE exercise's sections.
"""
