"""HTTP clients for the football data providers, and their payload mappings."""
