"""Runs student code in a separate, confined process and talks to it over pipes."""
