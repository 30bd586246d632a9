"""Events: gatherings, theme days, teaching sessions, meetings; registration, attendance, calendars."""
