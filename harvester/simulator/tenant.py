"""The simulated tenant: its lists, campaigns, dialer and ground truth.

Every public method takes the tenant's lock and first brings the dialer up
to the clock, so the state a caller sees is the state at ``clock.now()``.
"""

from __future__ import annotations

import contextlib
import gc
import random
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from harvester.simulator.catalog import agent_names, derive_seed, find_disposition
from harvester.simulator.clock import SimClock, from_ms, to_ms
from harvester.simulator.config import SimulatorConfig
from harvester.simulator.dialer import AttemptDetails, Campaign, Dialer, interaction_id
from harvester.simulator.population import generate_entries, plan_campaigns
from harvester.simulator.records import CallingList, DncList
from harvester.simulator.refusals import (
    RefusalError,
    UnknownNameError,
)
from harvester.simulator.results import ListResults
from harvester.simulator.truth import GroundTruth, build_truth

DEFAULT_DNC_LIST = "DNC_List"


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pauses the cyclic garbage collector while the tenant allocates in bulk.

    Dialing and ground truth create millions of small objects in large
    tenants, none of them garbage; the collector's full passes over them cost
    a third of the time. The previous setting is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Tenant:
    """A Bright Pattern tenant's outbound side, simulated.

    Args:
        config: the tenant's size, pace, credentials and faults.
        clock: the tenant's clock; a stepped clock at ``config.start`` when
            None. With ``history_seconds``, the clock is moved to
            ``start + history_seconds`` and the dialing up to then is
            simulated before the constructor returns.
    """

    def __init__(self, config: SimulatorConfig, clock: SimClock | None = None) -> None:
        self.config = config
        self.clock = clock if clock is not None else SimClock.stepped(config.start)
        self.lock = threading.RLock()
        self.lists: dict[str, CallingList] = {}
        self.campaigns: dict[str, Campaign] = {}
        self.dnc_lists = {DEFAULT_DNC_LIST: DncList(DEFAULT_DNC_LIST)}
        self.agents = agent_names(max(config.agents, 1))
        self.dialer = Dialer(config, to_ms(config.start), self.agents)
        self._inject_rng = random.Random(derive_seed(config.seed, "inject"))

        with _collector_paused():
            self._populate()
        if config.history_seconds > 0:
            ready_ms = to_ms(config.start) + round(config.history_seconds * 1000)
            if self.clock.now_ms() < ready_ms:
                self.clock.set(from_ms(ready_ms))
            self.sync()

    # --- time and dialing -------------------------------------------------

    def sync(self) -> None:
        """Runs the dialer up to the clock's current reading."""
        with self.lock, _collector_paused():
            self.dialer.run_until(self.clock.now_ms())

    @property
    def is_dialing(self) -> bool:
        """Whether the dialer places new calls."""
        return self.dialer.is_dialing

    def stop_dialing(self) -> None:
        """Stops new calls; attempts already made still become visible."""
        with self.lock:
            self.sync()
            self.dialer.stop()

    def resume_dialing(self) -> None:
        """Lets every running campaign dial again from now."""
        with self.lock:
            self.sync()
            self.dialer.resume()

    def settle(self) -> datetime:
        """Stops dialing and moves the clock until every attempt is visible.

        Afterwards the tenant stops changing, so a harvest can be compared
        with ``ground_truth()``. Returns the clock's new reading.
        """
        with self.lock:
            self.stop_dialing()
            pending_ms = self.dialer.latest_reveal_ms()
            now_ms = self.clock.now_ms()
            if pending_ms is not None and pending_ms >= now_ms:
                self.clock.advance((pending_ms - now_ms) / 1000 + 1)
            self.sync()
            return self.clock.now()

    def ground_truth(self) -> GroundTruth:
        """The visible state: records, results per campaign, attempts."""
        with self.lock, _collector_paused():
            self.sync()
            entries = {
                (calling_list.name, key): dict(entry)
                for calling_list in self.lists.values()
                for key, entry in zip(
                    calling_list.keys, calling_list.entries, strict=True
                )
            }
            links = [link for c in self.campaigns.values() for link in c.links]
            return build_truth(entries, links, self.dialer.now_ms)

    # --- campaigns and lists ----------------------------------------------

    def add_list(self, name: str, key_fields: Sequence[str] = ("id",)) -> CallingList:
        """Creates an empty calling list.

        Raises:
            ValueError: a list of that name exists.
        """
        with self.lock:
            if name in self.lists:
                raise ValueError(f"calling list '{name}' already exists")
            calling_list = self.lists[name] = CallingList(name, key_fields)
            return calling_list

    def add_campaign(
        self, name: str, lists: Iterable[str], state: str = "RUNNING"
    ) -> None:
        """Creates a campaign dialing ``lists``; missing lists are created.

        Raises:
            ValueError: a campaign of that name exists.
        """
        with self.lock:
            self.sync()
            self._link_campaign(name, lists, state)

    def disable_campaign(self, name: str) -> None:
        """Hides a campaign from campaign/getAll and stops its dialing."""
        with self.lock:
            self.sync()
            self.campaign(name).is_enabled = False

    def enable_campaign(self, name: str) -> None:
        """Lists a campaign again and lets it dial if it is running."""
        with self.lock:
            self.sync()
            campaign = self.campaign(name)
            campaign.is_enabled = True
            self.dialer.wake(campaign, self.dialer.now_ms)

    def campaign(self, name: str) -> Campaign:
        """A campaign by name.

        Raises:
            UnknownNameError: no campaign has that name.
        """
        campaign = self.campaigns.get(name)
        if campaign is None:
            raise UnknownNameError(f"campaign '{name}' is not found")
        return campaign

    def calling_list(self, name: str) -> CallingList:
        """A calling list by name.

        Raises:
            UnknownNameError: no calling list has that name.
        """
        calling_list = self.lists.get(name)
        if calling_list is None:
            raise UnknownNameError(f"calling list '{name}' is not found")
        return calling_list

    def dnc_list(self, name: str) -> DncList:
        """A DNC list by name.

        Raises:
            UnknownNameError: no DNC list has that name.
        """
        dnc = self.dnc_lists.get(name)
        if dnc is None:
            raise UnknownNameError(f"DNC list '{name}' is not found")
        return dnc

    def add_dnc_list(self, name: str) -> None:
        """Creates an empty DNC list (a tenant starts with "DNC_List")."""
        with self.lock:
            self.dnc_lists.setdefault(name, DncList(name))

    # --- records ----------------------------------------------------------

    def add_records(self, list_name: str, entries: Iterable[Any]) -> int:
        """Adds records and returns how many; stops at the first bad one.

        Raises:
            RefusalError: a record is malformed, lacks a key or is a duplicate;
                the records before it stay added.
        """
        with self.lock:
            self.sync()
            calling_list = self.calling_list(list_name)
            added = 0
            try:
                for entry in entries:
                    calling_list.add(entry)
                    added += 1
            finally:
                self._wake_list(list_name)
            return added

    def add_records_partially(
        self, list_name: str, entries: Iterable[Any]
    ) -> tuple[int, list[str]]:
        """Adds what it can; returns the count and a reason per refused record."""
        with self.lock:
            self.sync()
            calling_list = self.calling_list(list_name)
            added = 0
            errors = []
            for position, entry in enumerate(entries):
                try:
                    calling_list.add(entry)
                    added += 1
                except RefusalError as exc:
                    errors.append(f"record {position}: {exc}")
            self._wake_list(list_name)
            return added, errors

    def update_record(self, list_name: str, fields: Any) -> None:
        """Changes a record's non-key fields.

        Raises:
            RefusalError: the list or the record is unknown, or a key is missing.
        """
        with self.lock:
            self.sync()
            self.calling_list(list_name).update(fields)

    def delete_records(self, list_name: str) -> int:
        """Empties a list and forgets its results in every campaign."""
        with self.lock:
            self.sync()
            count = self.calling_list(list_name).clear()
            for campaign in self.campaigns.values():
                results = campaign.link(list_name)
                if results is not None:
                    results.reset()
            return count

    def inject_attempts(
        self,
        campaign: str,
        list_name: str,
        record_keys: Iterable[str],
        at: datetime,
        *,
        disposition: str = "No answer",
        agent: str | None = None,
        call_duration: int | None = None,
        call_notes: str = "",
        completes: bool | None = None,
        has_interaction_id: bool = True,
        visibility_delay_seconds: float = 0.0,
    ) -> int:
        """Records one attempt per record at a chosen date, as if dialed then.

        Tests use it for ties (many records active at one time). By default
        an attempt is visible at once, a connected call names the first agent
        and lasts a minute, and a final disposition completes the record.

        Raises:
            RefusalError: the campaign, list or a record is unknown, or the
                campaign does not dial the list.
        """
        outcome = find_disposition(disposition)
        connected = outcome.is_connected
        if call_duration is None:
            call_duration = 60 if connected else 0
        template = AttemptDetails(
            disposition=outcome,
            agent=agent if agent is not None else (self.agents[0] if connected else ""),
            call_duration=call_duration,
            call_notes=call_notes,
            interaction_id=None,
            completes=outcome.is_final if completes is None else completes,
            visibility_delay_ms=round(visibility_delay_seconds * 1000),
        )
        return self._inject(
            (campaign, list_name), record_keys, to_ms(at), template, has_interaction_id
        )

    def results_for(
        self, list_name: str, campaign: str
    ) -> tuple[CallingList, ListResults | None]:
        """A list and a campaign's results on it (None if it does not dial it).

        Call it holding ``lock`` after ``sync``.

        Raises:
            UnknownNameError: the list or the campaign is unknown.
        """
        calling_list = self.calling_list(list_name)
        return calling_list, self.campaign(campaign).link(list_name)

    # --- internals ----------------------------------------------------------

    def _results(self, campaign: str, list_name: str) -> ListResults:
        calling_list, results = self.results_for(list_name, campaign)
        if results is None:
            raise UnknownNameError(
                f"campaign '{campaign}' does not dial '{calling_list.name}'"
            )
        return results

    def _inject(
        self,
        names: tuple[str, str],
        record_keys: Iterable[str],
        date_ms: int,
        template: AttemptDetails,
        has_interaction_id: bool,
    ) -> int:
        with self.lock:
            self.sync()
            results = self._results(*names)
            indexes = [results.calling_list.position_of(key) for key in record_keys]
            for index in indexes:
                details = template
                if has_interaction_id:
                    details = replace(
                        template, interaction_id=interaction_id(self._inject_rng)
                    )
                self.dialer.inject(results, index, date_ms, details)
            self.sync()
            return len(indexes)

    def _link_campaign(self, name: str, lists: Iterable[str], state: str) -> None:
        if name in self.campaigns:
            raise ValueError(f"campaign '{name}' already exists")
        campaign = Campaign(name, self.config.seed, state)
        for list_name in lists:
            calling_list = self.lists.get(list_name)
            if calling_list is None:
                calling_list = self.add_list(list_name, self.config.key_fields)
            campaign.links.append(ListResults(name, calling_list))
        self.campaigns[name] = campaign
        self.dialer.campaigns.append(campaign)
        self.dialer.wake(campaign, self.dialer.now_ms)

    def _wake_list(self, list_name: str) -> None:
        for campaign in self.campaigns.values():
            if campaign.link(list_name) is not None:
                self.dialer.wake(campaign, self.dialer.now_ms)

    def _populate(self) -> None:
        for planned in plan_campaigns(self.config):
            for list_name in planned.lists:
                if list_name not in self.lists:
                    self._load_generated(list_name)
            self._link_campaign(planned.name, planned.lists, "RUNNING")

    def _load_generated(self, list_name: str) -> None:
        calling_list = self.add_list(list_name, self.config.key_fields)
        calling_list.load(generate_entries(self.config, list_name))
