"""Open-Meteo (open-meteo.com): forecast and archive client and payload mapping."""
