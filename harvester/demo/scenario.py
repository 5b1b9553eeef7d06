"""The demo's simulated tenant: its size, its pace and where its clock starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from harvester.simulator import SimClock, SimulatorConfig, SimulatorServer, Tenant

# Two hours of dialing before the tenant serves, so the first harvest has
# something to store at once.
HISTORY_SECONDS = 7200.0
CAMPAIGNS = 4
LISTS_PER_CAMPAIGN = 2
SHARED_LISTS = 2
RECORDS_PER_LIST = 1500
AGENTS = 12
# Attempts per simulated second per campaign: at 60x, about five a second.
DIAL_RATE_PER_SECOND = 0.08


@dataclass(frozen=True)
class Scenario:
    """What the demo asks of the simulator.

    Attributes:
        seed: seeds every generated record and call.
        speed: simulated seconds per real second.
        duration_seconds: how long the demo means to run, in real seconds.
    """

    seed: int
    speed: float
    duration_seconds: float

    def start_time(self, now: datetime) -> datetime:
        """When the tenant starts dialing, in simulated time.

        The clock is set back by the history and by the simulated time the
        demo will cover, so that it reaches the real time as the demo ends:
        lags read by `harvester status` afterwards are then plain.
        """
        ahead = HISTORY_SECONDS + self.speed * self.duration_seconds
        return now - timedelta(seconds=ahead)

    def config(self, now: datetime) -> SimulatorConfig:
        """The simulated tenant: several campaigns and lists, some shared."""
        return SimulatorConfig(
            seed=self.seed,
            campaigns=CAMPAIGNS,
            lists_per_campaign=LISTS_PER_CAMPAIGN,
            shared_lists=SHARED_LISTS,
            records_per_list=RECORDS_PER_LIST,
            agents=AGENTS,
            start=self.start_time(now),
            history_seconds=HISTORY_SECONDS,
            dial_rate_per_second=DIAL_RATE_PER_SECOND,
        )


def start_simulator(scenario: Scenario, now: datetime) -> SimulatorServer:
    """Builds the tenant, runs its history and serves it on a free local port."""
    config = scenario.config(now)
    clock = SimClock.accelerated(config.start, scenario.speed)
    tenant = Tenant(config, clock)
    return SimulatorServer(tenant, host="127.0.0.1", port=0).start()


def describe_tenant(server: SimulatorServer) -> str:
    """One line saying what the simulated tenant holds."""
    tenant = server.tenant
    shared = sum(
        1
        for name in tenant.lists
        if sum(1 for c in tenant.campaigns.values() if c.link(name)) > 1
    )
    return (
        f"{len(tenant.campaigns)} campaigns, {len(tenant.lists)} calling lists "
        f"({shared} shared by two campaigns), {len(tenant.agents)} agents, "
        f"clock at {server.clock.speed:g}x"
    )
