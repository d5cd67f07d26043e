"""Speed Watch shifts: scheduling, volunteers joining and withdrawing, the quorum rule, the rota feed.

models (Shift, ShiftStaffing, ShiftSignup), staffing (each date's counter row and the short alert),
services (schedule, sign up, withdraw), quorum (the worker task), listeners (date changes and
suspensions), emails, queries, forms, views, rota (the volunteer's rota and private feed), sections.
"""
