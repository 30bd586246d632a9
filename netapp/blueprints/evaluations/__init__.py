"""Evaluations: questionnaires coordinators write and participants answer anonymously, and their results."""
