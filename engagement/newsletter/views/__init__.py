"""The newsletter feature's view functions; `newsletter/blueprint.py` lists their URLs.

subscribe.py: subscribing, confirming, managing and leaving; archive.py: past newsletters, their
feed, the reference checker and the team events feed; staff.py: composing and sending;
sections.py: what newsletters add to the team page and the staff dashboard.
"""
