"""Shared mechanisms with no feature logic: types, time, permissions, audit, mail, tokens."""
