"""Accounts: login and logout, passwords (set, forgotten, changed), the profile, login throttling."""
