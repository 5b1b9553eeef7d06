"""A simulated Bright Pattern tenant serving the List Management API v2.0.

Tests and demos use it instead of a real tenant: it dials its campaigns'
lists over simulated time, serves every API method over HTTP, injects faults
on demand and tells the ground truth to compare a harvest with.
"""

from __future__ import annotations

from harvester.simulator.clock import SimClock
from harvester.simulator.config import FaultConfig, SimulatorConfig
from harvester.simulator.server import SimulatorServer
from harvester.simulator.tenant import Tenant
from harvester.simulator.truth import AttemptTruth, GroundTruth, ResultTruth

__all__ = [
    "AttemptTruth",
    "FaultConfig",
    "GroundTruth",
    "ResultTruth",
    "SimClock",
    "SimulatorConfig",
    "SimulatorServer",
    "Tenant",
]
