"""Widgets of the course screens (the live panels live in `tutor.app.panels`)."""
