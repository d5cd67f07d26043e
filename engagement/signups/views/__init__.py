"""Sign-up pages: `resident` (sign up, the booking page, "my events"), `staff` (the team's lists and exports).

Plain view functions; `engagement.signups.blueprint` lists their URLs.
"""
