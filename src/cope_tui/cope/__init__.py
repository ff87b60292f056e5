"""COPE exercises: the exercise record and its rules, client flow and its register.
May import: content and the leaves. Never the store or the UI.
"""
