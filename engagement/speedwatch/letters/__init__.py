"""The letter ladder: each recorded vehicle's step (first letter, second letter, referral), the letters
the back office produces from DVLA keeper details, and the referrals for a police visit.

models, ladder (filing a return's sightings), keepers (the DVLA lookup export and keeper import),
batches (producing letters: one PDF with WeasyPrint and a mail-merge CSV; marking them sent),
templates (the force's editable letter text), referrals, tasks (keeper erasure), queries, forms, views.
"""
