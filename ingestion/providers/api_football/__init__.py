"""API-Football v3 (api-sports.io): client and payload mapping."""
