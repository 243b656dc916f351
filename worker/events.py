"""The runner's output protocol: one event per stdout line, errors on stderr."""

EVENT_PREFIX = "KONSTRUKTOR_EVENT "
ERROR_PREFIX = "KONSTRUKTOR_ERROR "
RESULT_FILE = "result.json"
