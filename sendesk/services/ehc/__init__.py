"""EHC needs assessment requests, EHC plans, annual reviews, LA profiles, and the request
pack.
"""
