"""Renderings of the results model: CSV gradebooks, terminal summaries, feedback."""
