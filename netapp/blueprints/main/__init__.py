"""The start page, the dashboard, a manager's staff, the language choice and the admin's outbox and audit pages."""
