"""The BPCC List Management API v2.0: client, authentication, paging, models."""

from __future__ import annotations
