"""Staff accounts, teaching groups and classes, and the session lock."""
