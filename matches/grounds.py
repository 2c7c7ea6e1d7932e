"""The grounds in the demo data, with their coordinates: reference data, like ``catalog.py``.

It lets the weather (``matches/weather.py``) be asked for the right place: every Premier
League club of 2020/21-2023/24 (and of the StatsBomb 2015/16 season, with the grounds it
played at then: White Hart Lane, the Boleyn Ground), the Bundesliga clubs of
football-datasets 2018/19-2022/23 and openfootball, and the Euro 2020 grounds. Coordinates
are the centre spot's neighbourhood to three or four decimals (WGS 84), capacities as the
clubs published them around 2023; a curator who knows better edits the Venue in the admin,
and what a curator entered is never overwritten (``matches/venues.py``).

A home ground is keyed by our canonical team name (``catalog.TEAM_ALIASES``' keys; Stoke
and Swansea, absent from it, by the name the sources give them). A ground is found by any
of its names, folded like team names; when the venue has a city it must be one of the
ground's, so "St James Park" in Exeter or the Red Bull Arena in Salzburg is not taken for
Newcastle's or Leipzig's. The catalog describes the demo seasons: Everton are at Goodison
Park here, although they moved in 2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from matches.models import normalize_name


@dataclass(frozen=True)
class Ground:
    name: str
    city: str
    country: str
    latitude: float
    longitude: float
    capacity: int | None
    home_of: tuple[str, ...] = ()  # canonical team names
    aliases: tuple[str, ...] = ()  # former, sponsors' and sources' names
    cities: tuple[str, ...] = ()  # other spellings of the place ("München", a district)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def in_city(self, city: str) -> bool:
        """Whether a source's city ("Brighton, East Sussex", "München") is this ground's."""
        folded = normalize_name(city)
        if not folded:
            return True
        for spelling in (self.city, *self.cities):
            place = normalize_name(spelling)
            if f" {place} " in f" {folded} " or f" {folded} " in f" {place} ":
                return True
        return False


ENG, GER, SCO, WAL = "England", "Germany", "Scotland", "Wales"

GROUNDS: tuple[Ground, ...] = (
    # England (and Swansea): the Premier League clubs of the demo seasons
    Ground("Emirates Stadium", "London", ENG, 51.5549, -0.1084, 60704, ("Arsenal",), ("Arsenal Stadium",),
           ("Holloway", "Islington")),
    Ground("Villa Park", "Birmingham", ENG, 52.5092, -1.8848, 42640, ("Aston Villa",)),
    Ground("Vitality Stadium", "Bournemouth", ENG, 50.7352, -1.8383, 11307, ("Bournemouth",), ("Dean Court",)),
    Ground("Gtech Community Stadium", "London", ENG, 51.4907, -0.2886, 17250, ("Brentford",),
           ("Brentford Community Stadium",), ("Brentford",)),
    Ground("American Express Stadium", "Brighton", ENG, 50.8616, -0.0837, 31876, ("Brighton & Hove Albion",),
           ("Amex Stadium", "American Express Community Stadium", "Falmer Stadium"), ("Falmer",)),
    Ground("Turf Moor", "Burnley", ENG, 53.7890, -2.2302, 21944, ("Burnley",)),
    Ground("Stamford Bridge", "London", ENG, 51.4817, -0.1910, 40343, ("Chelsea",)),
    Ground("Selhurst Park", "London", ENG, 51.3983, -0.0855, 25486, ("Crystal Palace",)),
    Ground("Goodison Park", "Liverpool", ENG, 53.4388, -2.9663, 39414, ("Everton",)),
    Ground("Craven Cottage", "London", ENG, 51.4749, -0.2217, 25700, ("Fulham",)),
    Ground("Portman Road", "Ipswich", ENG, 52.0550, 1.1449, 29673, ("Ipswich Town",)),
    Ground("Elland Road", "Leeds", ENG, 53.7778, -1.5722, 37792, ("Leeds United",)),
    Ground("King Power Stadium", "Leicester", ENG, 52.6204, -1.1422, 32261, ("Leicester City",)),
    Ground("Anfield", "Liverpool", ENG, 53.4308, -2.9608, 61276, ("Liverpool",)),
    Ground("Kenilworth Road", "Luton", ENG, 51.8843, -0.4317, 11500, ("Luton Town",)),
    Ground("Etihad Stadium", "Manchester", ENG, 53.4831, -2.2004, 53400, ("Manchester City",),
           ("City of Manchester Stadium",)),
    Ground("Old Trafford", "Manchester", ENG, 53.4631, -2.2913, 74310, ("Manchester United",), (),
           ("Stretford", "Trafford")),
    Ground("St James' Park", "Newcastle upon Tyne", ENG, 54.9756, -1.6217, 52305, ("Newcastle United",), (),
           ("Newcastle",)),
    Ground("Carrow Road", "Norwich", ENG, 52.6222, 1.3086, 27359, ("Norwich City",)),
    Ground("City Ground", "Nottingham", ENG, 52.9400, -1.1329, 30404, ("Nottingham Forest",), (),
           ("West Bridgford",)),
    Ground("Bramall Lane", "Sheffield", ENG, 53.3703, -1.4709, 32050, ("Sheffield United",)),
    Ground("St Mary's Stadium", "Southampton", ENG, 50.9058, -1.3911, 32384, ("Southampton",)),
    Ground("Stadium of Light", "Sunderland", ENG, 54.9146, -1.3882, 49000, ("Sunderland",)),
    Ground("Tottenham Hotspur Stadium", "London", ENG, 51.6043, -0.0664, 62850, ("Tottenham Hotspur",), (),
           ("Tottenham",)),
    Ground("Vicarage Road", "Watford", ENG, 51.6498, -0.4015, 22200, ("Watford",)),
    Ground("The Hawthorns", "West Bromwich", ENG, 52.5090, -1.9639, 26850, ("West Bromwich Albion",), (),
           ("West Bromwich", "Birmingham")),
    Ground("London Stadium", "London", ENG, 51.5387, -0.0166, 62500, ("West Ham United",), (), ("Stratford",)),
    Ground("Molineux Stadium", "Wolverhampton", ENG, 52.5903, -2.1304, 31750, ("Wolverhampton Wanderers",),
           ("Molineux",)),
    Ground("bet365 Stadium", "Stoke-on-Trent", ENG, 52.9884, -2.1756, 30089, ("Stoke City",),
           ("Britannia Stadium",), ("Stoke",)),
    Ground("Swansea.com Stadium", "Swansea", WAL, 51.6428, -3.9351, 21088, ("Swansea City",), ("Liberty Stadium",)),
    # English grounds since left (StatsBomb 2015/16)
    Ground("White Hart Lane", "London", ENG, 51.6033, -0.0657, 36284, (), (), ("Tottenham",)),
    Ground("Boleyn Ground", "London", ENG, 51.5319, 0.0394, 35016, (), ("Upton Park",), ("Upton Park", "West Ham")),
    # Germany: the Bundesliga clubs of the demo data
    Ground("Allianz Arena", "Munich", GER, 48.2188, 11.6247, 75024, ("Bayern Munich",),
           ("Fußball Arena München", "Football Arena Munich"), ("München", "Muenchen")),
    Ground("BayArena", "Leverkusen", GER, 51.0383, 7.0022, 30210, ("Bayer Leverkusen",)),
    Ground("Signal Iduna Park", "Dortmund", GER, 51.4926, 7.4519, 81365, ("Borussia Dortmund",),
           ("Westfalenstadion", "BVB Stadion Dortmund")),
    Ground("Red Bull Arena", "Leipzig", GER, 51.3458, 12.3483, 47069, ("RB Leipzig",), ("Zentralstadion",)),
    Ground("Borussia-Park", "Mönchengladbach", GER, 51.1746, 6.3855, 54042, ("Borussia Mönchengladbach",),
           ("Stadion im Borussia-Park",), ("Gladbach",)),
    Ground("Volkswagen Arena", "Wolfsburg", GER, 52.4327, 10.8039, 30000, ("VfL Wolfsburg",)),
    Ground("Deutsche Bank Park", "Frankfurt am Main", GER, 50.0686, 8.6455, 58000, ("Eintracht Frankfurt",),
           ("Commerzbank-Arena", "Waldstadion", "Frankfurt Stadium"), ("Frankfurt",)),
    Ground("Weserstadion", "Bremen", GER, 53.0665, 8.8376, 42100, ("Werder Bremen",),
           ("Wohninvest Weserstadion",)),
    Ground("PreZero Arena", "Sinsheim", GER, 49.2381, 8.8876, 30150, ("TSG Hoffenheim",),
           ("Rhein-Neckar-Arena", "Wirsol Rhein-Neckar-Arena"), ("Hoffenheim",)),
    Ground("Merkur Spiel-Arena", "Düsseldorf", GER, 51.2616, 6.7331, 54600, ("Fortuna Düsseldorf",),
           ("Esprit Arena", "Düsseldorf Arena")),
    Ground("Olympiastadion", "Berlin", GER, 52.5147, 13.2395, 74475, ("Hertha BSC",), ("Olympiastadion Berlin",)),
    Ground("Mewa Arena", "Mainz", GER, 49.9839, 8.2244, 33305, ("Mainz 05",), ("Opel Arena", "Coface Arena")),
    Ground("Europa-Park Stadion", "Freiburg", GER, 48.0216, 7.8297, 34700, ("SC Freiburg",), (),
           ("Freiburg im Breisgau",)),
    Ground("Schwarzwald-Stadion", "Freiburg", GER, 47.9889, 7.8930, 24000, (),
           ("Dreisamstadion", "Schwarzwald-Stadion Freiburg"), ("Freiburg im Breisgau",)),
    Ground("Veltins-Arena", "Gelsenkirchen", GER, 51.5546, 7.0676, 62271, ("Schalke 04",), ("Arena AufSchalke",)),
    Ground("WWK Arena", "Augsburg", GER, 48.3232, 10.8863, 30660, ("FC Augsburg",), ("SGL Arena", "Augsburg Arena")),
    Ground("MHPArena", "Stuttgart", GER, 48.7923, 9.2320, 60449, ("VfB Stuttgart",),
           ("Mercedes-Benz Arena", "Neckarstadion")),
    Ground("Heinz von Heiden Arena", "Hanover", GER, 52.3600, 9.7312, 49000, ("Hannover 96",),
           ("HDI-Arena", "Niedersachsenstadion"), ("Hannover",)),
    Ground("Max-Morlock-Stadion", "Nuremberg", GER, 49.4263, 11.1258, 50000, ("Nürnberg",),
           ("Grundig-Stadion", "Frankenstadion"), ("Nürnberg",)),
    Ground("RheinEnergieStadion", "Cologne", GER, 50.9336, 6.8750, 50000, ("FC Köln",), ("Müngersdorfer Stadion",),
           ("Köln",)),
    Ground("Home Deluxe Arena", "Paderborn", GER, 51.7310, 8.7108, 15000, ("Paderborn",), ("Benteler-Arena",)),
    Ground("Stadion An der Alten Försterei", "Berlin", GER, 52.4572, 13.5681, 22012, ("Union Berlin",),
           ("An der Alten Försterei",), ("Köpenick",)),
    Ground("Schüco-Arena", "Bielefeld", GER, 52.0320, 8.5169, 26515, ("Arminia Bielefeld",),
           ("Bielefelder Alm", "SchücoArena")),
    Ground("Vonovia Ruhrstadion", "Bochum", GER, 51.4900, 7.2365, 26000, ("VfL Bochum",), ("Ruhrstadion",)),
    Ground("Sportpark Ronhof Thomas Sommer", "Fürth", GER, 49.4871, 10.9990, 16626, ("Greuther Fürth",),
           ("Sportpark Ronhof", "Ronhof")),
    Ground("Merck-Stadion am Böllenfalltor", "Darmstadt", GER, 49.8578, 8.6725, 17650, ("Darmstadt 98",),
           ("Stadion am Böllenfalltor", "Böllenfalltor")),
    Ground("Voith-Arena", "Heidenheim an der Brenz", GER, 48.6686, 10.1392, 15000, ("Heidenheim",),
           ("Albstadion",), ("Heidenheim",)),
    Ground("Holstein-Stadion", "Kiel", GER, 54.3492, 10.1237, 15034, ("Holstein Kiel",)),
    Ground("Millerntor-Stadion", "Hamburg", GER, 53.5545, 9.9676, 29546, ("St. Pauli",), ("Millerntor",)),
    # UEFA Euro 2020 (played in 2021): the eleven grounds (Wembley and Munich's above and below)
    Ground("Wembley Stadium", "London", ENG, 51.5560, -0.2796, 90000, (), ("Wembley",)),
    Ground("Hampden Park", "Glasgow", SCO, 55.8258, -4.2520, 51866),
    Ground("Stadio Olimpico", "Rome", "Italy", 41.9341, 12.4547, 70634, (), ("Olimpico",), ("Roma",)),
    Ground("Johan Cruyff Arena", "Amsterdam", "Netherlands", 52.3143, 4.9419, 54990, (),
           ("Johan Cruijff ArenA", "Johan Cruijff Arena", "Amsterdam ArenA")),
    Ground("Parken Stadium", "Copenhagen", "Denmark", 55.7025, 12.5722, 38065, (), ("Parken", "Telia Parken"),
           ("København",)),
    Ground("Puskás Aréna", "Budapest", "Hungary", 47.5031, 19.0983, 67215, (), ("Puskás Ferenc Stadion",)),
    Ground("Krestovsky Stadium", "Saint Petersburg", "Russia", 59.9730, 30.2209, 67800, (),
           ("Saint Petersburg Stadium", "Saint-Petersburg Stadium", "Gazprom Arena", "Zenit Arena"),
           ("St Petersburg", "Sankt-Peterburg")),
    Ground("Arena Națională", "Bucharest", "Romania", 44.4373, 26.1525, 55634, (), ("National Arena",),
           ("București",)),
    Ground("Baku Olympic Stadium", "Baku", "Azerbaijan", 40.4300, 49.9197, 68700, (),
           ("Olympic Stadium Baku", "Bakı Olimpiya Stadionu", "Olimpiya Stadionu")),
    Ground("Estadio de La Cartuja", "Seville", "Spain", 37.4161, -6.0040, 57619, (),
           ("Estadio La Cartuja", "Estadio Olímpico de la Cartuja", "Estadio La Cartuja de Sevilla"), ("Sevilla",)),
)


@cache
def _by_name() -> dict[str, Ground]:
    index: dict[str, Ground] = {}
    for ground in GROUNDS:
        for name in ground.names:
            folded = normalize_name(name)
            if index.get(folded, ground) is not ground:
                raise ValueError(f"{name!r} names both {index[folded].name} and {ground.name}")
            index[folded] = ground
    return index


@cache
def _by_team() -> dict[str, Ground]:
    index: dict[str, Ground] = {}
    for ground in GROUNDS:
        for team in ground.home_of:
            if team in index:
                raise ValueError(f"{team} has two home grounds: {index[team].name} and {ground.name}")
            index[team] = ground
    return index


def find_ground(name: str, city: str = "") -> Ground | None:
    """The ground a venue's name means (any spelling), if its city (when given) agrees."""
    ground = _by_name().get(normalize_name(name))
    return ground if ground is not None and ground.in_city(city) else None


def home_ground(team_name: str) -> Ground | None:
    """A club's home ground in the demo seasons, by our canonical team name."""
    return _by_team().get(team_name)


# Where each UEFA Euro 2020 match was played (11 June - 11 July 2021), for the sources that do
# not name the ground (StatsBomb's single-match imports have no matches file). Which side a
# source lists first says nothing there; the ground says who was at home (Italy in Rome).
# (UTC date, one team, the other) as the sources name them; order does not matter.
_WEM, _HAM, _OLI, _ARE = "Wembley Stadium", "Hampden Park", "Stadio Olimpico", "Johan Cruyff Arena"
_PAR, _PUS, _KRE, _NAT = "Parken Stadium", "Puskás Aréna", "Krestovsky Stadium", "Arena Națională"
_BAK, _CAR, _ALL = "Baku Olympic Stadium", "Estadio de La Cartuja", "Allianz Arena"
EURO_2020_MATCHES: tuple[tuple[str, str, str, str], ...] = (
    ("2021-06-11", "Turkey", "Italy", _OLI), ("2021-06-12", "Wales", "Switzerland", _BAK),
    ("2021-06-16", "Turkey", "Wales", _BAK), ("2021-06-16", "Italy", "Switzerland", _OLI),
    ("2021-06-20", "Switzerland", "Turkey", _BAK), ("2021-06-20", "Italy", "Wales", _OLI),
    ("2021-06-12", "Denmark", "Finland", _PAR), ("2021-06-12", "Belgium", "Russia", _KRE),
    ("2021-06-16", "Finland", "Russia", _KRE), ("2021-06-17", "Denmark", "Belgium", _PAR),
    ("2021-06-21", "Russia", "Denmark", _PAR), ("2021-06-21", "Finland", "Belgium", _KRE),
    ("2021-06-13", "Austria", "North Macedonia", _NAT), ("2021-06-13", "Netherlands", "Ukraine", _ARE),
    ("2021-06-17", "Ukraine", "North Macedonia", _NAT), ("2021-06-17", "Netherlands", "Austria", _ARE),
    ("2021-06-21", "North Macedonia", "Netherlands", _ARE), ("2021-06-21", "Ukraine", "Austria", _NAT),
    ("2021-06-13", "England", "Croatia", _WEM), ("2021-06-14", "Scotland", "Czech Republic", _HAM),
    ("2021-06-18", "Croatia", "Czech Republic", _HAM), ("2021-06-18", "England", "Scotland", _WEM),
    ("2021-06-22", "Croatia", "Scotland", _HAM), ("2021-06-22", "Czech Republic", "England", _WEM),
    ("2021-06-14", "Poland", "Slovakia", _KRE), ("2021-06-14", "Spain", "Sweden", _CAR),
    ("2021-06-18", "Sweden", "Slovakia", _KRE), ("2021-06-19", "Spain", "Poland", _CAR),
    ("2021-06-23", "Slovakia", "Spain", _CAR), ("2021-06-23", "Sweden", "Poland", _KRE),
    ("2021-06-15", "Hungary", "Portugal", _PUS), ("2021-06-15", "France", "Germany", _ALL),
    ("2021-06-19", "Hungary", "France", _PUS), ("2021-06-19", "Portugal", "Germany", _ALL),
    ("2021-06-23", "Portugal", "France", _PUS), ("2021-06-23", "Germany", "Hungary", _ALL),
    ("2021-06-26", "Wales", "Denmark", _ARE), ("2021-06-26", "Italy", "Austria", _WEM),
    ("2021-06-27", "Netherlands", "Czech Republic", _PUS), ("2021-06-27", "Belgium", "Portugal", _CAR),
    ("2021-06-28", "Croatia", "Spain", _PAR), ("2021-06-28", "France", "Switzerland", _NAT),
    ("2021-06-29", "England", "Germany", _WEM), ("2021-06-29", "Sweden", "Ukraine", _HAM),
    ("2021-07-02", "Switzerland", "Spain", _KRE), ("2021-07-02", "Belgium", "Italy", _ALL),
    ("2021-07-03", "Czech Republic", "Denmark", _BAK), ("2021-07-03", "Ukraine", "England", _OLI),
    ("2021-07-06", "Italy", "Spain", _WEM), ("2021-07-07", "England", "Denmark", _WEM),
    ("2021-07-11", "Italy", "England", _WEM),
)


@cache
def _by_fixture() -> dict[tuple[str, frozenset[str]], Ground]:
    return {(day, frozenset((normalize_name(one), normalize_name(other)))): _by_name()[normalize_name(ground)]
            for day, one, other, ground in EURO_2020_MATCHES}


def tournament_ground(day: str, team: str, other: str) -> Ground | None:
    """The ground a listed tournament match was played at (``day``: the UTC date, ISO), if we know it."""
    return _by_fixture().get((day, frozenset((normalize_name(team), normalize_name(other)))))
