"""The HTML form of `harvester report`: one self-contained page.

Styles and charts are inline and the page loads nothing, so it opens from a
file, a mail attachment or an offline machine alike.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from harvester.errors import ReportingError
from harvester.reporting import charts
from harvester.reporting.display import format_time
from harvester.reporting.kpis import ReportData
from harvester.reporting.terminal import KPI_COLUMNS, kpi_cells

_STYLE = """
body { font-family: sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.4rem; }
h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.meta { color: #666; font-size: 0.85rem; }
"""

# Columns of the KPI table holding figures, aligned right.
_NUMBER_COLUMNS = range(1, 7)


def render_html(data: ReportData) -> str:
    """The report page as one HTML document."""
    body = "".join(
        f"<h2>{escape(title)}</h2>\n{html}\n" for title, html in sections(data)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Campaign report</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        "<h1>Campaign report</h1>\n"
        f'<p class="meta">Generated {escape(format_time(data.generated_at))}; '
        "times are UTC.</p>\n"
        f"{body}</body>\n</html>\n"
    )


def sections(data: ReportData) -> list[tuple[str, str]]:
    """(heading, HTML) of each part of the page: the KPI table, then charts."""
    attempts = daily_series(data, "attempts")
    completions = daily_series(data, "completions")
    return [
        ("Campaign KPIs", kpi_table(data)),
        (
            "Attempts per day",
            charts.line_chart("attempts-per-day", "Attempts per day", attempts),
        ),
        (
            "Completions per day",
            charts.line_chart(
                "completions-per-day", "Completions per day", completions
            ),
        ),
        (
            "Disposition mix",
            charts.stacked_bars(
                "disposition-mix", "Share of attempts", disposition_shares(data)
            ),
        ),
        (
            "Agent activity",
            charts.heatmap("agent-activity", "Attempts per agent", agent_cells(data)),
        ),
    ]


def write_html(data: ReportData, path: Path) -> None:
    """Writes the report page to ``path``.

    Raises:
        ReportingError: the file cannot be written.
    """
    try:
        path.write_text(render_html(data), encoding="utf-8")
    except OSError as exc:
        raise ReportingError(
            f"report page '{path}' could not be written: {exc.strerror}"
        ) from exc


def kpi_table(data: ReportData) -> str:
    """The KPI table as HTML, with the same cells as the terminal table."""
    if not data.campaigns:
        return "<p>No campaigns harvested yet.</p>"
    head = "".join(f"<th>{escape(column)}</th>" for column in KPI_COLUMNS)
    rows = []
    for campaign in data.campaigns:
        cells = "".join(
            f'<td class="number">{escape(cell)}</td>'
            if index in _NUMBER_COLUMNS
            else f"<td>{escape(cell)}</td>"
            for index, cell in enumerate(kpi_cells(campaign, data))
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def daily_series(data: ReportData, figure: str) -> charts.Series:
    """Campaign → day → attempts or completions."""
    series: charts.Series = {}
    for point in data.daily:
        series.setdefault(point.campaign_name, {})[point.day] = getattr(point, figure)
    return series


def disposition_shares(data: ReportData) -> dict[str, dict[str, float]]:
    """Campaign → disposition → share of the campaign's attempts."""
    return {
        campaign: {item.disposition: item.share for item in items}
        for campaign, items in data.dispositions.items()
    }


def agent_cells(data: ReportData) -> dict[tuple[str, date], float]:
    """(agent, day) → attempts."""
    return {(row.agent, row.day): row.attempts for row in data.agents}
