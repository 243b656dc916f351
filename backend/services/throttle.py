"""Sign-in and registration throttling: moving windows counted by `limits`, in Redis when the
service has REDIS_URL (shared by every API process), in the process's memory otherwise."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from backend.settings import Settings

KEY_PREFIX = "konstruktor-throttle"


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused, and in how many seconds it may be tried again."""

    reason: str
    retry_after: int
    until: datetime

    @property
    def detail(self) -> str:
        wait = (
            f"{self.retry_after} second{'s' if self.retry_after > 1 else ''}"
            if self.retry_after < 120
            else f"{round(self.retry_after / 60)} minutes"
        )
        return f"{self.reason}: try again in {wait} (at {self.until:%H:%M:%S} UTC)"


class Throttle:
    """Attempts per account and per client address, refused beyond their limits.

    An account's counter holds its attempts since its last success: each attempt takes a slot
    before the password is checked (so parallel guesses cannot slip through together) and a
    success empties it, so only failures add up. A storage that cannot be reached raises
    `limits.errors.StorageError`.
    """

    def __init__(self, storage_uri: str, account: str, client: str, registration: str) -> None:
        storage = storage_from_string(storage_uri, key_prefix=KEY_PREFIX, wrap_exceptions=True)
        self._limiter = MovingWindowRateLimiter(storage)
        self._account, self._client = parse(account), parse(client)
        self._registration = parse(registration)

    @classmethod
    def from_settings(cls, settings: Settings) -> Throttle:
        return cls(
            settings.redis_url or "memory://",
            settings.login_account_limit,
            settings.login_client_limit,
            settings.registration_limit,
        )

    def sign_in(self, account: str, client: str) -> Refusal | None:
        """Take a slot for a password check of `account` from `client`, or say why not."""
        return self._take(
            self._client, "sign-in-client", client, "too many sign-in attempts from your address"
        ) or self._take(
            self._account,
            "sign-in-account",
            account.lower(),
            "too many failed sign-ins for this account",
        )

    def signed_in(self, account: str) -> None:
        """The password was right: the account's failures no longer count."""
        self._limiter.clear(self._account, "sign-in-account", account.lower())

    def register(self, client: str) -> Refusal | None:
        """Take a slot for an account creation from `client`, or say why not."""
        return self._take(
            self._registration,
            "register-client",
            client,
            "too many accounts created from your address",
        )

    def _take(self, item: RateLimitItem, kind: str, who: str, reason: str) -> Refusal | None:
        if self._limiter.hit(item, kind, who):
            return None
        now = time.time()
        reset = self._limiter.get_window_stats(item, kind, who).reset_time
        retry_after = math.floor(reset - now) + 1  # at `reset` itself the oldest still counts
        return Refusal(reason, retry_after, datetime.fromtimestamp(now + retry_after, UTC))
