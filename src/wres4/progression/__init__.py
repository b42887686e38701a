"""Progression: cohorts across staff snapshots, retention, promotion and senior representation
(method.md: Progression)."""
