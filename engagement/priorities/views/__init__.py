"""Priorities' view modules: public (residents and police.uk data), staff (priorities), people (the team's people)."""
