"""`harvester demo`: simulator, daemon and reporting views on local files."""

from __future__ import annotations

from harvester.demo.command import demo

__all__ = ["demo"]
