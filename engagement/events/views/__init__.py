"""The events feature's view functions, one module per group of pages; blueprint.py routes them.

public.py (list, one date), sections.py (the events parts of team pages and the dashboard),
staff.py (events), occurrences.py (one date of a series), types_and_venues.py, imports.py
(.ics upload), calendars.py (iCalendar feeds), api.py, policeuk.py and embed.py.
"""
