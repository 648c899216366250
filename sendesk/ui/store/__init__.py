"""Screens for the store's safekeeping: the audit trail."""
