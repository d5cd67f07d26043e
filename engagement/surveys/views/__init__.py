"""The surveys feature's view functions; `surveys/blueprint.py` lists their URLs.

public.py: residents answering; staff.py: building surveys; results.py: results, exports and
"You said, we did"; sections.py: what surveys add to the team page, dashboard and event pages.
"""
