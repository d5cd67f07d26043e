"""Privacy pages: public.py (the notice, the accessibility statement, residents' requests), staff.py."""
