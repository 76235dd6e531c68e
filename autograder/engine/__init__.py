"""Runs grading tests (pytest files) against a submission and collects results."""
