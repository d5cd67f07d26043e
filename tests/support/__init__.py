"""Helpers shared by every feature's tests: query counting, a real SMTP server, the outbox.

Written once here instead of in each feature's conftest; the `smtp` fixture is registered
in tests/conftest.py so every test can ask for it.
"""
