"""The client's journey: client and meeting records, meeting rules, stages, case plan
and follow-through. May import: content and the leaves. Never the store or the UI.
"""
