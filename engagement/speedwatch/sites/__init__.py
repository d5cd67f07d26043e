"""Approved Speed Watch sites: risk assessments, and each site's place (venue) in calendar feeds.

models (Site), services (save_site, check_site_bookable), queries, forms, views.
"""
