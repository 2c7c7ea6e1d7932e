"""Fantasy Premier League (https://fantasy.premierleague.com/api): squads, prices, availability, live points."""
