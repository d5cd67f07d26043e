"""Staff accounts: users, roles, sign-in and password reset."""
