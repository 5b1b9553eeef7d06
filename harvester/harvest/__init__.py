"""Harvesting: watermarks, the poll cycle over campaigns and lists, reconcile."""

from __future__ import annotations
