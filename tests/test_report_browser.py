"""The report of the main job's database, rendered by a real browser (Debian's headless
Chromium driven by Selenium) at a desktop width and at a phone's 390 px: the chart draws
points and no lines, reports that share a day stand apart, colours come from the Okabe-Ito
palette, the figures table says when a figure was given and when its article was
published, the claim's own row names its article, claims are collapsed to their badge,
figure and rationale, nothing is loaded from anywhere and nothing overflows the phone's
width. The claims come first: the first claim's verdict, text and rationale are in the
first screen of a desktop (1280 x 800) and of a phone (390 x 844); the axis of "thousands
of troops" fits the reports. Screenshots (the whole page, and the first screen of each)
are written to the test's temporary folder (or to ``$CLAIMS_SCREENSHOT_DIR`` when set),
never into the repository."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import duckdb
import pytest

from claims.report.svg import PALETTE
from tests.conftest import cli_env, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--force-device-scale-factor=1", "--hide-scrollbars"]
DESKTOP, PHONE = 1280, 390
SCREENS = {"desktop": (1280, 800, False), "phone": (390, 844, True)}  # the first screen of each

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="Debian's chromium and chromium-driver are not installed (make browser installs them)"),
]


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture()
def browser(tmp_path: Path):
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    assert CHROMIUM is not None  # the module is skipped without it
    options.binary_location = CHROMIUM
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    for flag in [*FLAGS, f"--user-data-dir={profile}", f"--window-size={DESKTOP},900"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture()
def report(main_job_db: Path, prefect_home: Path, tmp_path: Path) -> Path:
    out = tmp_path / "report.html"
    result = run_cli(["report", "--out", str(out)], cli_env(main_job_db, prefect_home))
    assert result.returncode == 0, result.stderr
    return out


def _at_width(browser, width: int, *, mobile: bool = False) -> int:
    """Lay the page out at ``width`` CSS pixels (a phone: ``mobile``), through Chrome's device
    emulation (a headless window is never narrower than 500 px); returns the page height."""
    metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": mobile}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    height = int(browser.execute_script("return document.documentElement.scrollHeight"))
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": min(height, 16000)})
    return height


def _screenshot(browser, tmp_path: Path, name: str, width: int, height: int) -> Path:
    """The whole page as laid out by :func:`_at_width`, as a PNG whose size is checked."""
    path = tmp_path / f"report-{name}.png"
    assert browser.save_screenshot(str(path))
    png = path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    shot_width, shot_height = struct.unpack(">II", png[16:24])
    assert shot_width == width and shot_height >= min(height, 16000) - 200, (shot_width, shot_height, height)
    keep = os.environ.get("CLAIMS_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(keep) / path.name)
    print(f"screenshot: {path} ({shot_width} x {shot_height})")
    return path


def test_the_claims_are_in_the_first_screen(report: Path, tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(report.as_uri())
    for name, (width, height, mobile) in SCREENS.items():
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        browser.execute_script("window.scrollTo(0, 0)")
        _screenshot(browser, tmp_path, f"{name}-first-screen", width, height)
        first = browser.find_element(By.CSS_SELECTOR, "article.claim")
        for part in (".badge", ".claim-line", ".rationale"):
            bottom = browser.execute_script("return arguments[0].getBoundingClientRect().bottom",
                                            first.find_element(By.CSS_SELECTOR, part))
            assert bottom <= height, f"{name}: the first claim's {part} ends at {bottom} px, below the {height} px screen"
        claims, figures = (browser.execute_script(f"return document.getElementById('{i}').getBoundingClientRect().top")
                           for i in ("claims", "figures"))
        assert claims < figures, "the claims before the charts"
    # the vague claim's chart: the axis fits the reports (it ran to 125,000), the band runs to the edge
    vague = [c for c in browser.find_elements(By.CSS_SELECTOR, "svg.chart") if "thousands" in c.get_attribute("aria-label")]
    assert vague, "a chart for 'thousands of troops'"
    values = [float(p.get_attribute("data-value")) for p in vague[0].find_elements(By.CSS_SELECTOR, ".point")]
    assert float(vague[0].get_attribute("data-y-max")) <= max(values) * 1.5, (vague[0].get_attribute("data-y-max"), values)
    heading = browser.find_element(By.CSS_SELECTOR, "#sources h2").text
    assert heading == "How often a source's evidence matches the final verdicts"
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#sources td.matched")]
    assert cells and all(" of " in c or c == "–" for c in cells), cells


def test_report_at_desktop_and_phone_widths(main_job_db: Path, report: Path, tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    with duckdb.connect(str(main_job_db), read_only=True) as con:
        labels = sorted(r[0] for r in con.execute("select label from latest_verdicts").fetchall())
        title = con.execute("select any_value(d.title) from claims c join documents d on d.id = c.document_id").fetchall()[0][0]
    assert labels, "the main job wrote verdicts"

    browser.get(report.as_uri())
    assert browser.title == "Claims report"
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded == [], f"the report loaded resources: {loaded}"

    # the chart: points, no line joining them, same-day reports apart, Okabe-Ito colours
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert charts, "a chart of reported figures"
    for chart in charts:
        assert not chart.find_elements(By.CSS_SELECTOR, "polyline"), "no line across a source's reports"
        points = chart.find_elements(By.CSS_SELECTOR, ".point")
        spots: dict[str, list[str]] = {}
        for p in points:
            x = p.get_attribute("cx") or str(float(p.get_attribute("x")) + 5)
            spots.setdefault(p.get_attribute("data-date"), []).append(f"{float(x):.1f}")
        for day, xs in spots.items():
            assert len(set(xs)) == len(xs), f"reports of {day} drawn on top of each other"
        colours = {p.value_of_css_property("fill") for p in chart.find_elements(By.CSS_SELECTOR, ".point-evidence")}
        colours |= {p.value_of_css_property("stroke") for p in chart.find_elements(By.CSS_SELECTOR, ".other-scope")}
        assert colours - {"rgb(255, 255, 255)"} <= {_rgb(c) for c in PALETTE}, colours
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart .point-evidence")) >= 2
    box = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];",
                                 charts[0])
    assert box[0] > 300 and box[1] > 100, f"the chart is drawn at a visible size, got {box}"

    # the figures table: when the figure was given, when its article was published; the claim names its article
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, ".cluster table.reports th")]
    assert "figure given on" in headers and "published" in headers and "date" not in headers
    own = browser.find_elements(By.CSS_SELECTOR, ".cluster tr.role-claim")
    assert own, "the claim's own figure is a row"
    for row in own:
        cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
        assert "unknown source" not in cells
        assert (title or "the checked article") in cells, cells

    # claims collapsed: badge, figure and rationale in view; context and evidence one click away
    cards = browser.find_elements(By.CSS_SELECTOR, "article.claim")
    assert sorted(c.get_attribute("data-label") for c in cards) == labels
    for card in cards:
        badge = card.find_element(By.CSS_SELECTOR, ".badge")
        assert badge.is_displayed() and badge.text
        assert badge.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
        assert card.find_element(By.CSS_SELECTOR, ".claim-line").is_displayed()
        assert card.find_element(By.CSS_SELECTOR, ".rationale").is_displayed()
        details = card.find_element(By.CSS_SELECTOR, "details.evidence")
        assert details.get_attribute("open") is None
        assert not any(q.is_displayed() for q in card.find_elements(By.CSS_SELECTOR, "blockquote"))
    figures = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "article.claim .claim-line mark")]
    assert any("8,000" in f for f in figures), figures
    marked = [m.get_attribute("textContent") for m in browser.find_elements(By.CSS_SELECTOR, "mark")]
    assert not any(m.lower().startswith(("two ", "one ", "three ")) for m in marked), marked
    # open one: the evidence shows, with its figures marked
    cards[0].find_element(By.CSS_SELECTOR, "details.evidence > summary").click()
    assert cards[0].find_element(By.CSS_SELECTOR, "blockquote").is_displayed()
    assert cards[0].find_elements(By.CSS_SELECTOR, "blockquote mark")
    cards[0].find_element(By.CSS_SELECTOR, "details.evidence > summary").click()
    for link in browser.find_elements(By.CSS_SELECTOR, "a[href^='http']"):
        assert link.get_attribute("rel") == "noopener noreferrer"

    desktop_height = _at_width(browser, DESKTOP)
    desktop = _screenshot(browser, tmp_path, "desktop", DESKTOP, desktop_height)
    assert desktop_height < 1000 * len(cards) + 2500, f"{desktop_height} px for {len(cards)} claims"

    phone = _screenshot(browser, tmp_path, "phone", PHONE, _at_width(browser, PHONE, mobile=True))
    overflow = browser.execute_script("return document.documentElement.scrollWidth")
    assert overflow <= PHONE, f"the page is {overflow} px wide on a {PHONE} px screen"
    # the chart keeps legible text: it scrolls sideways in its box instead of shrinking
    box_width, chart_width = browser.execute_script(
        "const b = document.querySelector('.chart-box'); "
        "return [b.getBoundingClientRect().width, b.querySelector('svg.chart').getBoundingClientRect().width]")
    assert box_width <= PHONE and chart_width >= 600, (box_width, chart_width)
    for badge in browser.find_elements(By.CSS_SELECTOR, "article.claim .badge"):
        assert badge.is_displayed()
    assert desktop.stat().st_size > 10_000 and phone.stat().st_size > 10_000
