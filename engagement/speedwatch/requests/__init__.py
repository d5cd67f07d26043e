"""Site requests: volunteers and coordinators propose a new roadside site; the team's officer assesses it.

models (SiteRequest, SiteRequestPhoto), services (propose, approve into a site, decline), photos
(Pillow re-encoding), forms, views (staff) and volunteer_views (the proposer's own pages).
"""
