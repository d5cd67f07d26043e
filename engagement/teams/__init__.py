"""Neighbourhood policing teams: the scope of most records, and how residents find theirs."""
