"""The terminal form of `harvester report`: one rich table of campaign KPIs."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from harvester.reporting.display import (
    format_count,
    format_duration,
    format_rate,
    format_time,
)
from harvester.reporting.kpis import CampaignKpis, ReportData

KPI_COLUMNS = (
    "campaign",
    "attempts",
    "records attempted",
    "completions",
    "completion rate",
    "contact rate",
    "talk time",
    "top dispositions",
    "last harvest",
    "lag",
)


def print_report(data: ReportData, console: Console) -> None:
    """Prints the KPI table, or a line saying there is nothing to report."""
    if not data.campaigns:
        console.print("no campaigns harvested yet")
        return

    table = Table(
        *KPI_COLUMNS,
        title=f"Campaign KPIs at {format_time(data.generated_at)}",
    )
    for column in table.columns[1:7]:
        column.justify = "right"
    for campaign in data.campaigns:
        table.add_row(*kpi_cells(campaign, data))
    console.print(table)


def kpi_cells(campaign: CampaignKpis, data: ReportData) -> list[str]:
    """The cells of one campaign's row, in the order of ``KPI_COLUMNS``."""
    name = campaign.campaign_name
    if not campaign.is_enabled:
        name += " (disabled)"
    return [
        name,
        format_count(campaign.attempts),
        format_count(campaign.records_attempted),
        format_count(campaign.completions),
        format_rate(campaign.completion_rate),
        format_rate(campaign.contact_rate),
        format_duration(campaign.talk_seconds),
        top_dispositions_text(campaign),
        format_time(campaign.last_harvest_at),
        format_duration(campaign.lag_seconds(data.generated_at)),
    ]


def top_dispositions_text(campaign: CampaignKpis) -> str:
    """``Busy 41.0%, No Answer 30.2%``: the most frequent attempt dispositions."""
    if not campaign.top_dispositions:
        return "-"
    return ", ".join(
        f"{item.disposition or '(none)'} {format_rate(item.share)}"
        for item in campaign.top_dispositions
    )
