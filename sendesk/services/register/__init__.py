"""The SEND register and the pupils on it: statuses, needs, history, imports from the MIS,
the census check, a pupil's record.
"""
