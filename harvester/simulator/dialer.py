"""The outbound dialer: campaigns calling their lists over simulated time.

Each campaign dials on its own: its next dial time, its retry queue and a
random generator seeded from the tenant's seed and the campaign's name. No
campaign's calls depend on another's, so ``run_until`` lets each campaign
catch up to a time in turn, then reveals every attempt whose visibility time
has come. What a reader sees after ``run_until(t)`` is the same however the
way to ``t`` was cut into steps: the attempts depend only on the seed, the
campaign's own past and the changes made through the API, and the visible
state of a record does not depend on the order its attempts were revealed in.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from dataclasses import dataclass

from harvester.simulator.catalog import (
    CALL_NOTES,
    Disposition,
    derive_seed,
    pick_disposition,
)
from harvester.simulator.config import SimulatorConfig
from harvester.simulator.results import Attempt, ListResults

_NOTES_SHARE = 0.3
_LOW32 = 0xFFFFFFFF
_TALK_SECONDS = (15, 480)

# (due time, sequence, results, record index, list generation)
Retry = tuple[int, int, ListResults, int, int]


@dataclass(frozen=True, slots=True)
class AttemptDetails:
    """What a caller chooses about an injected attempt."""

    disposition: Disposition
    agent: str
    call_duration: int
    call_notes: str
    interaction_id: str | None
    completes: bool
    visibility_delay_ms: int


class Campaign:
    """An outbound campaign: its lists, state and dialing queue.

    Attributes:
        name: the campaign's name.
        state: the state campaign/getAll reports, such as "RUNNING".
        is_enabled: whether campaign/getAll lists it.
        links: the campaign's results on each of its lists, in list order.
        next_dial_ms: when it dials next; None while it has nothing to dial.
    """

    def __init__(self, name: str, seed: int, state: str = "RUNNING") -> None:
        self.name = name
        self.state = state
        self.is_enabled = True
        self.links: list[ListResults] = []
        self.rng = random.Random(derive_seed(seed, "campaign", name))
        self.retries: list[Retry] = []
        self.turn = 0
        self.next_dial_ms: int | None = None

    @property
    def is_dialing(self) -> bool:
        """Whether the campaign places calls (enabled and running)."""
        return self.is_enabled and self.state == "RUNNING"

    def link(self, list_name: str) -> ListResults | None:
        """The campaign's results on a list, or None when it does not use it."""
        for results in self.links:
            if results.calling_list.name == list_name:
                return results
        return None

    def next_record(self, at_ms: int) -> tuple[ListResults, int] | None:
        """The record to dial now: a due retry first, else a fresh record."""
        retries = self.retries
        while retries and retries[0][0] <= at_ms:
            _, _, results, index, generation = heapq.heappop(retries)
            if generation == results.generation and not results.done[index]:
                return results, index

        count = len(self.links)
        for step in range(count):
            results = self.links[(self.turn + step) % count]
            index = results.cursor
            if index < len(results.calling_list):
                self.turn = (self.turn + step + 1) % count
                results.cursor = index + 1
                if index >= len(results.made):
                    results.reserve(len(results.calling_list) - 1)
                return results, index
        return None


class Dialer:
    """Runs every campaign of a tenant up to a time, and reveals attempts."""

    def __init__(
        self, config: SimulatorConfig, start_ms: int, agents: list[str]
    ) -> None:
        self.config = config
        self.agents = agents
        self.now_ms = start_ms
        self.is_dialing = True
        self.campaigns: list[Campaign] = []
        self._pending: list[tuple[int, int, Attempt]] = []
        self._touched: set[ListResults] = set()
        self._until_ms = start_ms
        self._sequence = itertools.count()
        self._mean_gap_ms = 1000.0 / config.dial_rate_per_second
        low, high = (round(value * 1000) for value in config.visibility_delay_seconds)
        self._delay = (low, high - low + 1)
        retry_ms = config.retry_delay_seconds * 1000
        self._retry = (round(retry_ms / 2), round(retry_ms) + 1)

    def wake(self, campaign: Campaign, at_ms: int) -> None:
        """Lets a campaign dial from ``at_ms`` on, unless it is due sooner."""
        if not self.is_dialing:
            return
        at_ms = max(at_ms, self.now_ms)
        if campaign.next_dial_ms is None or campaign.next_dial_ms > at_ms:
            campaign.next_dial_ms = at_ms

    def stop(self) -> None:
        """Stops every campaign; ``resume`` lets them dial again."""
        self.is_dialing = False
        for campaign in self.campaigns:
            campaign.next_dial_ms = None

    def resume(self) -> None:
        """Lets every campaign dial again from the current time."""
        self.is_dialing = True
        for campaign in self.campaigns:
            self.wake(campaign, self.now_ms)

    def run_until(self, until_ms: int) -> None:
        """Dials up to ``until_ms`` and reveals the attempts visible by then."""
        self._until_ms = until_ms
        if self.is_dialing:
            for campaign in self.campaigns:
                self._dial_until(campaign, until_ms)
        self.now_ms = max(self.now_ms, until_ms)

        pending = self._pending
        while pending and pending[0][0] <= until_ms:
            self._reveal(heapq.heappop(pending)[2])
        for results in self._touched:
            results.flush()
        self._touched = set()

    def latest_reveal_ms(self) -> int | None:
        """When the last attempt made so far becomes visible (None if all are)."""
        return max((event[0] for event in self._pending), default=None)

    def inject(
        self, results: ListResults, index: int, date_ms: int, details: AttemptDetails
    ) -> None:
        """Records an attempt with chosen details, as if the dialer made it."""
        attempt = Attempt(
            results, index, date_ms, details.disposition, details.completes
        )
        attempt.agent = details.agent
        attempt.phone = results.calling_list.phone_of(index)
        attempt.call_duration = details.call_duration
        attempt.call_notes = details.call_notes
        attempt.interaction_id = details.interaction_id
        results.reserve(index)
        results.made[index] = min(results.made[index] + 1, 255)
        if details.completes:
            results.done[index] = 1
        visible_ms = date_ms + details.visibility_delay_ms
        heapq.heappush(self._pending, (visible_ms, next(self._sequence), attempt))

    def _reveal(self, attempt: Attempt) -> None:
        results = attempt.results
        if attempt.generation == results.generation:
            results.reveal(attempt)
            self._touched.add(results)

    def _dial_until(self, campaign: Campaign, until_ms: int) -> None:
        if not campaign.is_dialing:
            campaign.next_dial_ms = None
            return
        at_ms = campaign.next_dial_ms
        random_ = campaign.rng.random
        mean_gap = self._mean_gap_ms
        while at_ms is not None and at_ms <= until_ms:
            pick = campaign.next_record(at_ms)
            if pick is not None:
                self._call(campaign, pick[0], pick[1], at_ms)
            gap = max(1, round(-math.log(1.0 - random_()) * mean_gap))
            if pick is not None:
                at_ms += gap
            elif campaign.retries:
                at_ms = max(at_ms + gap, campaign.retries[0][0])
            else:
                at_ms = None
        campaign.next_dial_ms = at_ms

    def _call(
        self, campaign: Campaign, results: ListResults, index: int, at_ms: int
    ) -> None:
        rng = campaign.rng
        disposition = pick_disposition(rng.random())
        made = results.made[index] + 1
        results.made[index] = made
        completes = disposition.is_final or made >= self.config.max_attempts
        date_ms = at_ms - at_ms % 1000

        attempt = Attempt(results, index, date_ms, disposition, completes)
        self._describe(attempt, rng)
        timing = rng.getrandbits(64)
        delay_low, delay_span = self._delay
        self._deliver(attempt, date_ms + delay_low + (timing & _LOW32) % delay_span)

        if completes:
            results.done[index] = 1
            return
        retry_low, retry_span = self._retry
        retry_ms = date_ms + retry_low + (timing >> 32) % retry_span
        entry = (retry_ms, next(self._sequence), results, index, results.generation)
        heapq.heappush(campaign.retries, entry)

    def _describe(self, attempt: Attempt, rng: random.Random) -> None:
        """Draws what happened on the call, from one 64-bit draw plus the id."""
        bits = rng.getrandbits(64)
        disposition = attempt.disposition
        low, high = disposition.dialing_seconds
        attempt.dialing_duration = low + (bits & 0xFF) % (high - low + 1)
        low, high = disposition.cpa_seconds
        attempt.cpa_duration = low + (bits >> 8 & 0xFF) % (high - low + 1)
        attempt.phone = attempt.results.calling_list.phone_of(attempt.index)
        if disposition.is_connected:
            low, high = _TALK_SECONDS
            attempt.call_duration = low + (bits >> 16 & 0xFFFF) % (high - low + 1)
            attempt.agent = self.agents[(bits >> 40) % len(self.agents)]
            notes = bits >> 32 & 0xFF
            if notes < _NOTES_SHARE * 256:
                attempt.call_notes = CALL_NOTES[notes % len(CALL_NOTES)]
        missing_rate = self.config.missing_interaction_id_rate
        if missing_rate <= 0 or rng.random() >= missing_rate:
            attempt.interaction_id = interaction_id(rng)

    def _deliver(self, attempt: Attempt, visible_ms: int) -> None:
        """Reveals an attempt now if its time has come, else queues it."""
        if visible_ms <= self._until_ms:
            self._reveal(attempt)
        else:
            entry = (visible_ms, next(self._sequence), attempt)
            heapq.heappush(self._pending, entry)


def interaction_id(rng: random.Random) -> str:
    """An uppercase UUID version 4 drawn from ``rng``."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)
    text = f"{bits:032X}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
