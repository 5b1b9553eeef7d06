"""Every default value of the harvester, named in one place."""

from __future__ import annotations

DEFAULT_DATABASE_URL = "sqlite:///harvester.db"
DEFAULT_REPORTING_PATH = "reporting.duckdb"
DEFAULT_CONFIG_PATH = "harvester.toml"
DEFAULT_INTERVAL_SECONDS = 60
DEFAULT_LOOKBACK_SECONDS = 900
DEFAULT_KEY_FIELDS = ("id",)
DEFAULT_PAGE_SIZE = 1000
DEFAULT_HTTP_PORT = 9410

# The API documents 1000 as the largest maxSize it serves.
API_MAX_PAGE_SIZE = 1000

# HTTP behaviour of the API client.
DEFAULT_CONNECT_TIMEOUT_SECONDS = 5.0
DEFAULT_READ_TIMEOUT_SECONDS = 60.0
DEFAULT_RETRY_TOTAL = 6
DEFAULT_RETRY_BACKOFF_FACTOR = 0.5
DEFAULT_RETRY_BACKOFF_MAX_SECONDS = 30.0
DEFAULT_RETRY_BACKOFF_JITTER_SECONDS = 0.5
# A token is refreshed this long before the expiry the server announced.
TOKEN_REFRESH_MARGIN_SECONDS = 60.0

# A watermark never passes the tenant's clock minus this margin, so that
# activity the tenant writes while a page is read is not jumped over.
DEFAULT_CLOCK_SAFETY_SECONDS = 5

# Daemon behaviour.
DEFAULT_DISCOVERY_INTERVAL_SECONDS = 300
DEFAULT_INTERVAL_JITTER_SECONDS = 5
DEFAULT_STOP_TIMEOUT_SECONDS = 30
DEFAULT_BACKOFF_CAP_SECONDS = 1800
DEFAULT_HEALTH_INTERVALS = 3

# Simulator.
DEFAULT_SIMULATOR_PORT = 8800
DEFAULT_SIMULATOR_SEED = 1

# Warehouse.
# A SQLite writer waits this long for another writer's lock before failing.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Every connection attempt to a PostgreSQL warehouse gives up after this long.
DEFAULT_DATABASE_CONNECT_TIMEOUT_SECONDS = 10
