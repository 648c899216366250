"""The graduated response: support plans (assess, plan, do, review), interventions and
their sessions, progress, the provision map, the pupil passport.
"""
