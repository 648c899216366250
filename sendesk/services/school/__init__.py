"""The school itself: its details, settings and whole-school figures."""
