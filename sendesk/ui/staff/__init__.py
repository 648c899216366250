"""Screens for staff: accounts, teaching groups, signing in and the lock screen."""
