"""Training scripts for the project's own models (run as `python -m train.dates`)."""
