"""Realistic demo data for trying the app: `flask demo load`."""
