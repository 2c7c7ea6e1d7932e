"""OpenLigaDB (api.openligadb.de): client and payload mapping."""
