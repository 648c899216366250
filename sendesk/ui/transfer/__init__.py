"""Screens for joining and leaving: importing a CTF, marking a pupil as leaving, and the
leaver's SEN file.
"""
