"""Screens for EHC requests and plans: the pupil's EHC tab, its dialogs, LA profiles and
the pack wizard.
"""
