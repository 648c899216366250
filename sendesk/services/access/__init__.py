"""Exam access arrangements: JCQ arrangements, assessments, teachers' normal-way-of-working
evidence, approvals and expiry.
"""
