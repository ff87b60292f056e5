"""The panels of a COPE exercise's sections (screens/exercise.py shows one at a time).

A panel edits the exercise it is given and posts ExerciseChanged; it may import
dialogs and the domain, never a screen.
"""
