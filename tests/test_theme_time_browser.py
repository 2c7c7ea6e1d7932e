"""What only a browser proves about issue 12: times in the reader's own zone with the zone named, the dark
theme (the system's, or the header button's, kept after a reload), and the skip link coming first."""

import datetime as dt
import re

import pytest

from conftest import CHROMIUM
from matches.models import Competition, Match, Season, Team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
    pytest.mark.django_db(transaction=True),
]

KICKOFF = dt.datetime(2021, 6, 11, 19, 0, tzinfo=dt.UTC)  # Turkey v Italy, Euro 2020 opener

# The page's background as a 0-255 luminance (body background-color, "rgb(r, g, b)").
LUMINANCE = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""


@pytest.fixture
def match():
    competition = Competition.objects.create(name="UEFA Euro", kind=Competition.Kind.CUP)
    season = Season.objects.create(competition=competition, name="2020")
    return Match.objects.create(competition=competition, season=season, kickoff=KICKOFF,
                                home_team=Team.objects.create(name="Turkey"), away_team=Team.objects.create(name="Italy"),
                                status=Match.Status.FINISHED, home_score=0, away_score=3)


@pytest.mark.parametrize("zone, day, clock, names", [
    ("Asia/Tokyo", "Sat 12 Jun 2021", "04:00", ("JST", "GMT+9")),
    ("America/New_York", "Fri 11 Jun 2021", "15:00", ("EDT",)),
])
def test_the_kickoff_is_shown_in_the_readers_zone_with_the_zone_named(live_server, browser, match, zone, day, clock,
                                                                      names):
    page = browser.new_page(timezone_id=zone, locale="en-US")
    page.goto(f"{live_server.url}{match.get_absolute_url()}")

    header = page.locator('.match-header__meta time[data-local="datetime"]')
    text = header.inner_text()
    assert text.startswith(f"{day}, {clock} "), text
    assert text.split(" ")[-1] in names, text
    assert header.get_attribute("datetime") == "2021-06-11T19:00:00Z"


def test_the_server_names_its_zone_when_the_script_does_not_run(live_server, browser, match):
    page = browser.new_context(java_script_enabled=False, timezone_id="Asia/Tokyo").new_page()
    page.goto(f"{live_server.url}{match.get_absolute_url()}")

    assert page.locator(".match-header__meta time").inner_text() == "Fri 11 Jun 2021, 20:00 BST"  # London's


def test_dark_by_the_system_then_light_by_the_button_and_it_stays_after_a_reload(live_server, browser, match):
    page = browser.new_context(color_scheme="dark").new_page()
    url = f"{live_server.url}{match.get_absolute_url()}"
    page.goto(url)
    assert page.evaluate(LUMINANCE) < 60, "the system asks for dark: the page should be dark"
    toggle = page.locator("[data-theme-toggle]")
    assert toggle.inner_text().strip() == "Auto"

    toggle.click()  # Auto -> Light
    assert toggle.inner_text().strip() == "Light"
    assert page.evaluate(LUMINANCE) > 200
    page.reload()
    assert page.evaluate(LUMINANCE) > 200, "the choice is kept"
    assert page.evaluate("document.documentElement.dataset.theme") == "light"

    toggle.click()  # Light -> Dark
    assert page.evaluate(LUMINANCE) < 60
    toggle.click()  # Dark -> Auto: the system's dark again, nothing stored
    assert page.evaluate(LUMINANCE) < 60 and page.evaluate("localStorage.getItem('qf-theme')") is None


def test_dark_chosen_on_a_light_system_paints_dark_from_the_first_frame(live_server, browser, match):
    context = browser.new_context(color_scheme="light")
    context.add_init_script("localStorage.setItem('qf-theme', 'dark')")
    page = context.new_page()
    # Sampled in the first frame the browser renders once <body> exists (frames wait for the head's
    # stylesheets), before the deferred scripts and the rest of the page.
    page.add_init_script("""document.addEventListener('readystatechange', () => {
      if (!window.qfAsked && document.body) {
        window.qfAsked = true;
        requestAnimationFrame(() => { window.qfFirst = getComputedStyle(document.body).backgroundColor; });
      }
    });""")
    page.goto(f"{live_server.url}/")

    assert page.evaluate(LUMINANCE) < 60
    page.wait_for_function("() => window.qfFirst !== undefined")
    first = page.evaluate("window.qfFirst")
    red, green, blue, *alpha = (float(n) for n in re.findall(r"[\d.]+", first))
    assert alpha in ([], [1.0]) and red + green + blue < 180, first


def test_the_skip_link_is_the_first_thing_tab_reaches_and_leads_to_the_content(live_server, browser, match):
    page = browser.new_page()
    page.goto(f"{live_server.url}{match.get_absolute_url()}")

    page.keyboard.press("Tab")
    focused = page.evaluate("({text: document.activeElement.textContent, top: document.activeElement.getBoundingClientRect().top})")
    assert focused["text"] == "Skip to content" and focused["top"] >= 0  # shown when focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
