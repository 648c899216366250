"""Screens for the SEND register: the register page and model, adding and importing pupils,
the census check, status changes.
"""
