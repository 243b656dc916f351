"""Publisher weights: which file a model starts from, where it is cached, whether it can be
had (torch-free: the API reports each model's status and checks it at submission).

The fetching itself is `mlcore.models.weights.fetch_weights`.
"""

from __future__ import annotations

import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from mlcore.contract.catalog import ModelInfo, get_model_info

WeightsStatus = Literal["cached", "fetchable", "absent"]
# torch.hub's rule (`check_hash`): a file named NAME-<hex>.EXT has a SHA-256 starting with <hex>
HASH_IN_NAME = re.compile(r"-([a-f0-9]+)\.")
PULL_COMMAND = "python -m mlcore weights pull"
PROBE_TIMEOUT_S = 3.0
PROBE_TTL_S = 300.0  # how long a probe's answer stands
_probes: dict[str, tuple[float, bool]] = {}  # url -> (monotonic time, reachable)
_silent_hosts: dict[str, float] = {}  # host -> monotonic time it did not answer


def hash_prefix(file: str) -> str | None:
    """The SHA-256 prefix in a torch.hub-style file name, e.g. 7f5810bc of
    efficientnet_b0_rwightman-7f5810bc.pth; None when the name carries none."""
    found = HASH_IN_NAME.search(file)
    return found.group(1) if found else None


def reachable(url: str) -> bool:
    """Whether `url` answers a HEAD request with success now (a file: URL, whether the file
    exists); remembered for PROBE_TTL_S so a catalog listing probes each file once, and a
    host that did not answer at all is not asked about its other files meanwhile."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(urllib.request.url2pathname(parts.path)).is_file()
    now = time.monotonic()
    known = _probes.get(url)
    if known is not None and now - known[0] < PROBE_TTL_S:
        return known[1]
    if now - _silent_hosts.get(parts.netloc, -PROBE_TTL_S) < PROBE_TTL_S:
        return False
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, method="HEAD"), timeout=PROBE_TIMEOUT_S
        ):
            answer = True
    except urllib.error.HTTPError:  # the host answered: not this file
        answer = False
    except (OSError, ValueError):  # no answer (URLError, timeouts) or a malformed URL
        answer = False
        _silent_hosts[parts.netloc] = now
    _probes[url] = (now, answer)
    return answer


def default_weights_dir() -> Path:
    """The CLI's weights cache: $XDG_CACHE_HOME/konstruktor/weights (~/.cache by default)."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "konstruktor" / "weights"


@dataclass(frozen=True)
class PublisherWeights:
    """One model's pretrained weights as their publisher serves them."""

    model: str  # the catalog model name
    file: str
    url: str
    sha256_prefix: str | None  # None: the publisher names no hash (checked as a checkpoint)

    @classmethod
    def of(cls, info: ModelInfo) -> PublisherWeights | None:
        """The weights of catalog entry `info`; None for a model its publisher released none
        for."""
        if info.weights_file is None or info.weights_url is None:
            return None
        return cls(info.name, info.weights_file, info.weights_url, info.weights_sha256_prefix)


@dataclass(frozen=True)
class WeightsSource:
    """Where publisher weights are cached and may be fetched from.

    `mirror`: a base URL serving every file under its publisher's name (MIRROR/<file>),
    used instead of the publishers' URLs; `offline`: never fetch, only use the cache.
    """

    folder: Path = field(default_factory=default_weights_dir)
    mirror: str | None = None
    offline: bool = False

    def path(self, weights: PublisherWeights) -> Path:
        """Where the file is (or will be) cached."""
        return self.folder / weights.file

    def url(self, weights: PublisherWeights) -> str:
        """Where the file is fetched from: the mirror when set, else the publisher."""
        if self.mirror:
            return f"{self.mirror.rstrip('/')}/{weights.file}"
        return weights.url

    def status(self, weights: PublisherWeights | None) -> WeightsStatus:
        """cached (in the folder), fetchable (not offline, and its URL answers now: fetched on
        first use) or absent (neither, or no weights were published)."""
        if weights is None:
            return "absent"
        if self.path(weights).is_file():
            return "cached"
        if self.offline or not reachable(self.url(weights)):
            return "absent"
        return "fetchable"

    def status_of(self, model: str) -> WeightsStatus:
        """The status of catalog model `model`'s weights."""
        return self.status(PublisherWeights.of(get_model_info(model)))


def pull_command(models: str, folder: Path | str) -> str:
    """The command that fetches `models`' weights (names, or all) into `folder`."""
    return f"`{PULL_COMMAND} {models} --weights-dir {folder}`"
