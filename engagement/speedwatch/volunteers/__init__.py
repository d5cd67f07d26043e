"""Speed Watch volunteers: applying, approval with training and vetting, suspension, and their pages.

models (Volunteer), services (the rules), queries (staff lists), forms, views, emails (what
applicants and volunteers are told), sections (the team page and dashboard boxes).
"""
