"""`harvester report`: its figures, its terminal table and its HTML page."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from harvester.reporting import charts
from harvester.reporting.display import format_duration, format_rate, format_time
from harvester.reporting.kpis import (
    AgentDay,
    CampaignKpis,
    DailyPoint,
    Disposition,
    ReportData,
    read_report,
)
from harvester.reporting.page import render_html
from harvester.reporting.terminal import print_report
from tests.reporting.sample import HARVESTED_AT

NOW = datetime(2026, 1, 6, 18, 0, 0)

# Appended to a copy of the page: measures every chart once the browser laid
# it out, and writes the sizes into the DOM that --dump-dom prints.
MEASURE = """
<script>
const charts = [...document.querySelectorAll("svg.chart")].map((svg) => {
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll(".mark")]
    .map((mark) => mark.getBoundingClientRect())
    .filter((rect) => rect.width > 0 && rect.height > 0).length;
  return {name: svg.dataset.chart, width: box.width, height: box.height, marks};
});
document.body.setAttribute("data-measured", JSON.stringify(charts));
</script>
"""


def synthetic_report() -> ReportData:
    days = [date(2026, 1, d) for d in range(5, 12)]
    campaigns = ["Sales", "Retention", 'Q "4" <b>']
    return ReportData(
        generated_at=NOW,
        campaigns=[
            CampaignKpis(
                name,
                True,
                100,
                60,
                20,
                1 / 3,
                40,
                0.4,
                3600,
                NOW,
                NOW,
                NOW,
                (Disposition("Sale", 20, 0.2),),
            )
            for name in campaigns
        ],
        daily=[
            DailyPoint(name, day, 10 * (i + 1) + n, i + n)
            for n, name in enumerate(campaigns)
            for i, day in enumerate(days)
        ],
        dispositions={
            name: [
                Disposition("No answer", 50, 0.5),
                Disposition("Sale", 30, 0.3),
                Disposition("", 20, 0.2),
            ]
            for name in campaigns
        },
        agents=[
            AgentDay(agent, day, 5 + i, 3, 120)
            for agent in ("ann", "bob", "eve")
            for i, day in enumerate(days)
        ],
    )


def test_read_report_sample_figures(built):
    data = read_report(built.settings, now=NOW)
    sales = next(c for c in data.campaigns if c.campaign_name == "Sales")
    assert [c.campaign_name for c in data.campaigns] == ["Old", "Retention", "Sales"]
    assert (sales.attempts, sales.records_attempted, sales.completions) == (4, 3, 2)
    assert sales.top_dispositions[0] == Disposition("Sale", 2, 0.5)
    assert sales.last_harvest_at == HARVESTED_AT
    assert (
        sales.lag_seconds(NOW) == (NOW - datetime(2026, 1, 6, 10, 15)).total_seconds()
    )
    assert len(data.daily) == 3
    assert {a.agent for a in data.agents} == {"ann", "bob"}


def test_print_report_table_rows(built):
    stream = io.StringIO()
    print_report(read_report(built.settings, now=NOW), Console(file=stream, width=250))
    sales = next(line for line in stream.getvalue().splitlines() if "Sales" in line)
    cells = [cell.strip() for cell in sales.split("│")[1:-1]]
    assert cells == [
        "Sales",
        "4",
        "3",
        "2",
        "66.7%",
        "50.0%",
        "3m 00s",
        "Sale 50.0%, Busy 25.0%, No Answer 25.0%",
        "2026-01-06 16:00:00Z",
        "7h 45m",
    ]


@pytest.mark.parametrize(
    ("function", "value", "text"),
    [
        (format_duration, None, "-"),
        (format_duration, 5, "5s"),
        (format_duration, 425, "7m 05s"),
        (format_duration, 11220, "3h 07m"),
        (format_rate, None, "-"),
        (format_rate, 2 / 3, "66.7%"),
        (format_time, datetime(2026, 1, 5, 8, 0, 1, 500), "2026-01-05 08:00:01Z"),
    ],
)
def test_display_formats(function, value, text):
    assert function(value) == text


def test_render_html_is_self_contained():
    page = render_html(synthetic_report())
    assert page.count('<svg class="chart"') == 4
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"\b(src|href)=", page)
    assert re.findall(r"https?://[^\s\"']+", page) == ["http://www.w3.org/2000/svg"] * 4
    assert "Q &quot;4&quot; &lt;b&gt;" in page


def test_render_html_empty_report_says_no_data():
    page = render_html(ReportData(generated_at=NOW, campaigns=[]))
    assert "No campaigns harvested yet." in page
    assert page.count("no data yet") == 4


def test_line_chart_single_day_still_draws_marker():
    svg = charts.line_chart("c", "t", {"Sales": {date(2026, 1, 5): 3}})
    assert svg.count('class="mark"') == 1


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (480, 500)]
)
def test_nice_ceiling_rounds_up_to_1_2_5(value, ceiling):
    assert charts.nice_ceiling(value) == ceiling


def measure_in_chromium(
    chromium: str, page: Path, profile: Path
) -> dict[str, dict[str, Any]]:
    """Renders a page headless and returns the sizes MEASURE wrote, by chart."""
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-measured="([^"]*)"', done.stdout)
    assert found, done.stdout[-2000:]
    return {c["name"]: c for c in json.loads(html.unescape(found.group(1)))}


def test_report_page_charts_draw_in_chromium(chromium, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(
        render_html(synthetic_report()).replace("</body>", MEASURE + "</body>")
    )

    measured = measure_in_chromium(chromium, page, tmp_path / "profile")

    assert set(measured) == {
        "attempts-per-day",
        "completions-per-day",
        "disposition-mix",
        "agent-activity",
    }
    for chart in measured.values():
        assert chart["width"] > 0
        assert chart["height"] > 0
    assert measured["attempts-per-day"]["marks"] == 21
    assert measured["disposition-mix"]["marks"] == 9
    assert measured["agent-activity"]["marks"] == 21
