"""Screens for the graduated response: support plans, interventions and sessions, progress,
the provision map.
"""
