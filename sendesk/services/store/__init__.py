"""Keeping the store safe: opening, backups, the audit chain and its anchor, row seals,
PostgreSQL roles.
"""
