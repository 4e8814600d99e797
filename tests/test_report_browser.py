"""The report of the main job's database, rendered by a real browser (Debian's headless
Chromium driven by Selenium): the chart and the verdict badges are on the page, nothing is
loaded from anywhere, and a screenshot is kept at artifacts/report.png."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, cli_env, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = ROOT / "artifacts" / "report.png"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="Debian's chromium and chromium-driver are not installed (make browser installs them)"),
]


@pytest.fixture()
def browser(tmp_path: Path):
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    for flag in [*FLAGS, f"--user-data-dir={profile}", "--window-size=1200,900"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_report_renders_chart_and_badges(main_job_db: Path, prefect_home: Path, tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    report = tmp_path / "report.html"
    result = run_cli(["report", "--out", str(report)], cli_env(main_job_db, prefect_home))
    assert result.returncode == 0, result.stderr
    with duckdb.connect(str(main_job_db), read_only=True) as con:
        labels = sorted(r[0] for r in con.execute("select label from latest_verdicts").fetchall())
        charted = con.execute("select count(distinct cluster_id) from quantity_reports "
                              "where role = 'evidence' and value is not null").fetchone()[0]
    assert labels, "the main job wrote verdicts"
    assert charted >= 1, "the seed article's troop figure has evidence figures to chart"

    browser.get(report.as_uri())
    assert browser.title == "Claims report"

    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert charts, "a chart of reported figures"
    points = charts[0].find_elements(By.CSS_SELECTOR, ".point-evidence")
    assert len(points) >= 2, "the chart has data points"
    assert all(float(p.get_attribute("data-value")) > 0 for p in points)
    box = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];",
                                 charts[0])
    assert box[0] > 300 and box[1] > 100, f"the chart is drawn at a visible size, got {box}"

    badges = browser.find_elements(By.CSS_SELECTOR, "article.claim .badge")
    assert sorted(b.get_attribute("data-label") for b in badges) == labels
    assert all(b.is_displayed() and b.text for b in badges)
    colours = {b.value_of_css_property("background-color") for b in badges}
    assert "rgba(0, 0, 0, 0)" not in colours, "badges are coloured by the inline CSS"

    marks = browser.find_elements(By.CSS_SELECTOR, "article.claim blockquote mark")
    assert marks, "numbers in the evidence quotes are highlighted"
    for link in browser.find_elements(By.CSS_SELECTOR, "a[href^='http']"):
        assert link.get_attribute("rel") == "noopener noreferrer"

    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded == [], f"the report loaded resources: {loaded}"

    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1200, min(int(height) + 40, 12000))
    kept = tmp_path / "report.png"
    assert browser.save_screenshot(str(kept))
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(kept, SCREENSHOT)
    assert SCREENSHOT.stat().st_size > 10_000
    print(f"screenshot: {SCREENSHOT} and {kept}")
