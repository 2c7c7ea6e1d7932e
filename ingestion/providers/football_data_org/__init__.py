"""football-data.org v4: client and payload mapping."""
