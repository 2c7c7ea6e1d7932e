"""Well-known competitions and teams, and the names and codes each source gives them.

This is reference data, not configuration: it lets the first import from any source
land on the same Competition and Team rows as every other source. Anything not listed
here is still imported (under the name the source gives) unless an import runs in
strict mode; curators then fix or merge it in the admin.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KnownCompetition:
    name: str
    country: str
    kind: str  # a Competition.Kind value
    timezone: str
    tiebreak: str = "goal_difference"
    short_name: str = ""
    # Source -> the code or id that source uses for this competition.
    codes: dict[str, str] = field(default_factory=dict)
    # Other names sources write inside their files ("English Premier League" in openfootball's).
    aliases: tuple[str, ...] = ()


COMPETITIONS: list[KnownCompetition] = [
    KnownCompetition(
        "Premier League", "England", "league", "Europe/London", short_name="EPL",
        codes={"football_data_uk": "E0", "openfootball": "en.1", "statsbomb": "2",
               "api_football": "39", "football_data_org": "PL", "fpl": "PL"},
        aliases=("English Premier League",),
    ),
    KnownCompetition(
        "Championship", "England", "league", "Europe/London",
        codes={"football_data_uk": "E1", "openfootball": "en.2", "api_football": "40", "football_data_org": "ELC"},
        aliases=("English Championship",),
    ),
    KnownCompetition(
        "Bundesliga", "Germany", "league", "Europe/Berlin", short_name="BL",
        codes={"football_data_uk": "D1", "openfootball": "de.1", "statsbomb": "9",
               "api_football": "78", "football_data_org": "BL1", "openligadb": "bl1"},
        aliases=("Deutsche Bundesliga", "1. Bundesliga"),
    ),
    KnownCompetition(
        "2. Bundesliga", "Germany", "league", "Europe/Berlin",
        codes={"football_data_uk": "D2", "openfootball": "de.2", "api_football": "79", "openligadb": "bl2"},
        aliases=("Deutsche 2. Bundesliga",),
    ),
    KnownCompetition(
        "3. Liga", "Germany", "league", "Europe/Berlin",
        codes={"api_football": "80", "openligadb": "bl3"},
    ),
    KnownCompetition(
        "La Liga", "Spain", "league", "Europe/Madrid", tiebreak="head_to_head",
        codes={"football_data_uk": "SP1", "openfootball": "es.1", "statsbomb": "11",
               "api_football": "140", "football_data_org": "PD"},
        aliases=("Primera División", "Spanish La Liga", "LaLiga"),
    ),
    KnownCompetition(
        "Serie A", "Italy", "league", "Europe/Rome", tiebreak="head_to_head",
        codes={"football_data_uk": "I1", "openfootball": "it.1", "statsbomb": "12",
               "api_football": "135", "football_data_org": "SA"},
        aliases=("Italian Serie A",),
    ),
    KnownCompetition(
        "Ligue 1", "France", "league", "Europe/Paris",
        codes={"football_data_uk": "F1", "openfootball": "fr.1", "statsbomb": "7",
               "api_football": "61", "football_data_org": "FL1"},
        aliases=("French Ligue 1",),
    ),
    KnownCompetition(
        "Eredivisie", "Netherlands", "league", "Europe/Amsterdam",
        codes={"football_data_uk": "N1", "openfootball": "nl.1", "api_football": "88", "football_data_org": "DED"},
        aliases=("Dutch Eredivisie",),
    ),
    KnownCompetition(
        "UEFA Champions League", "", "cup", "Europe/Paris", short_name="UCL",
        codes={"statsbomb": "16", "api_football": "2", "football_data_org": "CL"},
    ),
    KnownCompetition(
        "UEFA Euro", "", "international", "Europe/Paris", short_name="Euro",
        codes={"statsbomb": "55", "api_football": "4", "football_data_org": "EC"},
    ),
    KnownCompetition(
        "FIFA World Cup", "", "international", "UTC", short_name="World Cup",
        codes={"statsbomb": "43", "api_football": "1", "football_data_org": "WC"},
    ),
]


def known_competition(source: str, code: str) -> KnownCompetition | None:
    for competition in COMPETITIONS:
        if competition.codes.get(source) == str(code):
            return competition
    return None


def find_competition(wanted: str) -> KnownCompetition | None:
    """A competition by its name, short name or any source's code ("Premier League", "EPL", "E0", "PL")."""
    folded = wanted.strip().casefold()
    for competition in COMPETITIONS:
        names = {competition.name, competition.short_name, *competition.codes.values(), *competition.aliases}
        if folded in {name.casefold() for name in names if name}:
            return competition
    return None


# Canonical team name -> the other names sources use for it. The canonical name is the
# club's common English name; every alias (and the canonical name) folds to this team.
# Names are matched folded (``normalize_name``: no accents, case or punctuation), so
# "FC Koln" needs no entry beside "FC Köln". Covers every team in the shared
# football-data.co.uk, football-datasets, openfootball and StatsBomb files
# (matches/tests/test_catalog.py checks it) plus the provider samples' spellings.
TEAM_ALIASES: dict[str, list[str]] = {
    # England
    "Arsenal": ["Arsenal FC"],
    "Aston Villa": ["Aston Villa FC"],
    "Bournemouth": ["AFC Bournemouth"],
    "Brentford": ["Brentford FC"],
    "Brighton & Hove Albion": ["Brighton", "Brighton Hove", "Brighton and Hove Albion", "Brighton & Hove Albion FC"],
    "Burnley": ["Burnley FC"],
    "Chelsea": ["Chelsea FC"],
    "Crystal Palace": ["Crystal Palace FC"],
    "Everton": ["Everton FC"],
    "Fulham": ["Fulham FC"],
    "Ipswich Town": ["Ipswich", "Ipswich Town FC"],
    "Leeds United": ["Leeds", "Leeds United FC"],
    "Leicester City": ["Leicester", "Leicester City FC"],
    "Liverpool": ["Liverpool FC"],
    "Luton Town": ["Luton", "Luton Town FC"],
    "Manchester City": ["Man City", "Manchester City FC"],
    "Manchester United": ["Man United", "Man Utd", "Manchester United FC"],
    "Newcastle United": ["Newcastle", "Newcastle United FC"],
    "Norwich City": ["Norwich", "Norwich City FC"],
    "Nottingham Forest": ["Nott'm Forest", "Nottingham", "Nottingham Forest FC"],
    "Sheffield United": ["Sheffield Utd", "Sheffield United FC"],
    "Southampton": ["Southampton FC"],
    "Sunderland": ["Sunderland AFC"],
    "Tottenham Hotspur": ["Tottenham", "Spurs", "Tottenham Hotspur FC"],
    "Watford": ["Watford FC"],
    "West Bromwich Albion": ["West Brom", "West Bromwich Albion FC"],
    "West Ham United": ["West Ham", "West Ham United FC"],
    "Wolverhampton Wanderers": ["Wolves", "Wolverhampton", "Wolverhampton Wanderers FC"],
    # Germany
    "Arminia Bielefeld": ["Bielefeld", "DSC Arminia Bielefeld"],
    "Bayer Leverkusen": ["Leverkusen", "Bayer 04 Leverkusen"],
    "Bayern Munich": ["FC Bayern München", "Bayern München", "FC Bayern Munich"],
    "Borussia Dortmund": ["Dortmund", "BVB"],
    "Borussia Mönchengladbach": ["M'gladbach", "Mönchengladbach", "Gladbach", "Borussia M'gladbach"],
    "Darmstadt 98": ["Darmstadt", "SV Darmstadt 98"],
    "Eintracht Frankfurt": ["Ein Frankfurt"],
    "FC Augsburg": ["Augsburg"],
    "FC Köln": ["1. FC Köln", "Köln", "Cologne"],
    "Fortuna Düsseldorf": ["Düsseldorf"],
    "Greuther Fürth": ["SpVgg Greuther Fürth"],
    "Hannover 96": ["Hannover"],
    "Heidenheim": ["FC Heidenheim", "1. FC Heidenheim", "1. FC Heidenheim 1846"],
    "Hertha BSC": ["Hertha", "Hertha Berlin"],
    "Holstein Kiel": [],
    "Mainz 05": ["Mainz", "FSV Mainz 05", "1. FSV Mainz 05"],
    "Nürnberg": ["1. FC Nürnberg"],
    "Paderborn": ["SC Paderborn", "SC Paderborn 07"],
    "RB Leipzig": ["RasenBallsport Leipzig"],
    "SC Freiburg": ["Freiburg"],
    "Schalke 04": ["Schalke", "FC Schalke 04"],
    "St. Pauli": ["FC St. Pauli"],
    "TSG Hoffenheim": ["Hoffenheim", "TSG 1899 Hoffenheim"],
    "Union Berlin": ["1. FC Union Berlin"],
    "VfB Stuttgart": ["Stuttgart"],
    "VfL Bochum": ["Bochum", "VfL Bochum 1848"],
    "VfL Wolfsburg": ["Wolfsburg"],
    "Werder Bremen": ["SV Werder Bremen", "Bremen"],
    # National teams
    "Italy": [],
    "Turkey": ["Türkiye"],
}
