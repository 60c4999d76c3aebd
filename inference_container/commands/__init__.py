"""Subcommands of `time-traveler` that belong to the model side."""
