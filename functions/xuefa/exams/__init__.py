"""Exams: the bank, papers, sittings with hard limits, grading, the best score that only
rises, and overrides."""
