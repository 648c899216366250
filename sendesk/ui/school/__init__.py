"""Screens for the school: its details, the set-up wizard and statistics."""
