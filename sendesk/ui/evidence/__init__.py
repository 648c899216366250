"""Screens for evidence and outside agencies."""
