"""Screens for exam access arrangements: the page, the pupil's tab, dialogs, the exams
officer's list, class evidence.
"""
