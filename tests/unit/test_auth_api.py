import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import limits.storage.memory
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import cli
from backend.db import session_scope
from backend.models import ApiKey, ApiKeyKind, utcnow
from backend.services import throttle
from backend.settings import get_settings
from tests.support.api import API, new_user
from tests.support.services import closed_port

PASSWORD = "correct horse battery"  # new_user's


class FakeTime:
    """`time.time` for the throttle and `limits`' memory storage: moves only when told."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    monkeypatch.setattr(throttle, "time", fake)
    return fake


def use_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    """Change service variables of the running test service (read on the next request)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def login(client: TestClient, email: str, password: str = PASSWORD, **kwargs: object) -> int:
    r = client.post(f"{API}/auth/login", json={"email": email, "password": password}, **kwargs)
    return int(r.status_code)


def token_of(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_register_login_and_api_keys(service: Path, client: TestClient) -> None:
    headers = new_user(client, "ada@example.com")
    assert client.get(f"{API}/auth/me", headers=headers).json()["email"] == "ada@example.com"

    dup = client.post(
        f"{API}/auth/register", json={"email": "ADA@example.com", "password": "whatever123"}
    )
    assert dup.status_code == 409 and "already registered" in dup.json()["detail"]
    bad = client.post(
        f"{API}/auth/login", json={"email": "ada@example.com", "password": "nope1234"}
    )
    assert bad.status_code == 401

    created = client.post(f"{API}/api-keys", json={"name": "ci"}, headers=headers)
    assert created.status_code == 201
    key = created.json()["key"]
    with session_scope() as session:
        stored = session.scalars(select(ApiKey.key_hash)).all()
    assert key not in stored and all(key not in h for h in stored)

    listed = client.get(f"{API}/api-keys", headers=headers).json()
    assert [k["name"] for k in listed] == ["ci"] and "key" not in listed[0]
    me = client.get(f"{API}/auth/me", headers={"X-API-Key": key})
    assert me.status_code == 200

    assert client.delete(f"{API}/api-keys/{listed[0]['id']}", headers=headers).status_code == 204
    assert client.get(f"{API}/auth/me", headers={"X-API-Key": key}).status_code == 401


def test_requests_without_valid_credentials_are_rejected(service: Path, client: TestClient) -> None:
    assert client.get(f"{API}/projects").status_code == 401
    r = client.get(f"{API}/projects", headers={"Authorization": "Bearer kst_wrong"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = client.post(f"{API}/auth/register", json={"email": "not-an-email", "password": "x"})
    assert r.status_code == 422


def test_logout_and_expired_tokens(service: Path, client: TestClient) -> None:
    headers = new_user(client, "bo@example.com")
    key = client.post(f"{API}/api-keys", json={"name": "k"}, headers=headers).json()["key"]
    refused = client.post(f"{API}/auth/logout", headers={"X-API-Key": key})
    assert refused.status_code == 409 and "DELETE /api/v1/api-keys" in refused.json()["detail"]

    assert client.post(f"{API}/auth/logout", headers=headers).status_code == 204
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 401

    other = new_user(client, "cy@example.com")
    with session_scope() as session:
        for row in session.scalars(select(ApiKey).where(ApiKey.kind == ApiKeyKind.session)):
            row.expires_at = utcnow() - timedelta(minutes=1)
    expired = client.get(f"{API}/auth/me", headers=other)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    new_user(client, "di@example.com")  # logging in purges expired tokens
    with session_scope() as session:
        kinds = session.scalars(select(ApiKey.kind)).all()
    assert sorted(kinds) == [ApiKeyKind.api, ApiKeyKind.session]


def test_failed_sign_ins_lock_the_account_until_the_window_passes(
    service: Path, client: TestClient, clock: FakeTime
) -> None:
    new_user(client, "ada@example.com")
    new_user(client, "bo@example.com")
    assert [login(client, "ada@example.com", "wrong-password") for _ in range(5)] == [401] * 5

    locked = client.post(
        f"{API}/auth/login", json={"email": "ADA@example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429 and locked.headers["retry-after"] == "901"
    assert locked.json()["detail"] == (
        "too many failed sign-ins for this account: try again in 15 minutes (at 18:01:41 UTC)"
    )
    assert login(client, "bo@example.com") == 200  # another account from the same client
    # an address nobody registered is counted alike, so a lock says nothing about existence
    ghost = [login(client, "ghost@example.com", "wrong-password") for _ in range(6)]
    assert ghost == [401] * 5 + [429]

    clock.now += 900
    assert login(client, "ada@example.com") == 429  # the oldest failure is 900 s old: it counts
    clock.now += 1
    assert login(client, "ada@example.com") == 200
    # a success forgets the attempts before it, its own too (else the fifth would be a 429)
    assert [login(client, "ada@example.com", "wrong-password") for _ in range(5)] == [401] * 5


def test_client_limit_spans_accounts_and_ignores_forwarded_for(
    service: Path, client: TestClient, clock: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_settings(monkeypatch, KONSTRUKTOR_LOGIN_CLIENT_LIMIT="4 per minute")
    new_user(client, "ada@example.com")  # one attempt
    for n in range(3):
        spoofed = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert login(client, f"guess{n}@example.com", "wrong-password", headers=spoofed) == 401

    refused = client.post(
        f"{API}/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 429 and refused.headers["retry-after"] == "61"
    assert refused.json()["detail"].startswith("too many sign-in attempts from your address:")
    with TestClient(client.app, client=("203.0.113.9", 50000)) as elsewhere:
        assert login(elsewhere, "ada@example.com") == 200
    clock.now += 61
    assert login(client, "ada@example.com") == 200


def test_registration_is_throttled_per_client_and_can_be_closed(
    service: Path, client: TestClient, clock: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_settings(monkeypatch, KONSTRUKTOR_REGISTRATION_LIMIT="2 per hour")
    new_user(client)
    new_user(client)
    third = client.post(
        f"{API}/auth/register", json={"email": "c@example.com", "password": PASSWORD}
    )
    assert third.status_code == 429 and third.headers["retry-after"] == "3601"
    assert "too many accounts created from your address" in third.json()["detail"]

    use_settings(monkeypatch, KONSTRUKTOR_REGISTRATION="closed")
    closed = client.post(
        f"{API}/auth/register", json={"email": "d@example.com", "password": PASSWORD}
    )
    assert closed.status_code == 403
    assert "registration is closed" in closed.json()["detail"]
    assert "python -m backend.cli create-user EMAIL" in closed.json()["detail"]


def test_operator_creates_users_with_the_cli(
    service: Path,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a chosen password\n"))
    assert cli.main(["create-user", "Eve@example.com", "--password-stdin"]) == 0
    assert capsys.readouterr().out == "Created user eve@example.com\n"
    assert login(client, "eve@example.com", "a chosen password") == 200

    assert cli.main(["create-user", "fay@example.com"]) == 0
    made = re.fullmatch(
        r"Created user fay@example.com with password (\S+) .*\n", capsys.readouterr().out
    )
    assert made is not None and login(client, "fay@example.com", made[1]) == 200

    with pytest.raises(SystemExit, match=r"eve@example\.com is registered already"):
        cli.main(["create-user", "eve@example.com"])
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(SystemExit, match="at least 8 characters"):
        cli.main(["create-user", "gus@example.com", "--password-stdin"])


def test_password_change_signs_out_the_other_sessions(service: Path, client: TestClient) -> None:
    here = new_user(client, "ada@example.com")
    there = token_of(client, "ada@example.com")
    key = {
        "X-API-Key": client.post(f"{API}/api-keys", json={"name": "ci"}, headers=here).json()["key"]
    }
    change = {"current_password": "not my password", "new_password": "a new passphrase"}

    wrong = client.post(f"{API}/auth/password", json=change, headers=here)
    assert wrong.status_code == 403 and wrong.json()["detail"] == "the current password is wrong"
    assert (
        client.post(
            f"{API}/auth/password", json={**change, "current_password": PASSWORD}, headers=here
        ).status_code
        == 204
    )
    me = [client.get(f"{API}/auth/me", headers=h).status_code for h in (here, there, key)]
    assert me == [200, 401, 200]
    assert login(client, "ada@example.com") == 401
    assert login(client, "ada@example.com", "a new passphrase") == 200

    again = {
        "current_password": "a new passphrase",
        "new_password": PASSWORD,
        "revoke_api_keys": True,
    }
    assert client.post(f"{API}/auth/password", json=again, headers=here).status_code == 204
    assert client.get(f"{API}/auth/me", headers=key).status_code == 401
    assert client.get(f"{API}/auth/me", headers=here).status_code == 200


def test_wrong_current_passwords_count_as_failed_sign_ins(
    service: Path, client: TestClient, clock: FakeTime
) -> None:
    headers = new_user(client, "ada@example.com")
    change = {"current_password": "not my password", "new_password": "a new passphrase"}
    answers = [
        client.post(f"{API}/auth/password", json=change, headers=headers).status_code
        for _ in range(6)
    ]
    assert answers == [403] * 5 + [429]
    assert login(client, "ada@example.com") == 429
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 200  # still signed in


def test_logout_everywhere_revokes_every_login_token_but_no_api_key(
    service: Path, client: TestClient
) -> None:
    here = new_user(client, "ada@example.com")
    there = token_of(client, "ada@example.com")
    key = {
        "X-API-Key": client.post(f"{API}/api-keys", json={"name": "ci"}, headers=here).json()["key"]
    }
    others = new_user(client, "bo@example.com")

    assert client.post(f"{API}/auth/logout-all", headers=here).status_code == 204
    me = [client.get(f"{API}/auth/me", headers=h).status_code for h in (here, there, key, others)]
    assert me == [401, 401, 200, 200]


def test_parallel_guesses_get_no_more_tries_than_one_after_another(
    service: Path, client: TestClient
) -> None:
    new_user(client, "ada@example.com")
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: login(client, "ada@example.com", "wrong!!!"), range(40)))
    # a slot is taken before the password check, so simultaneous guesses cannot all pass it
    assert sorted(answers) == [401] * 5 + [429] * 35


def test_an_unreachable_throttle_store_refuses_sign_in_with_503(
    service: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_settings(monkeypatch, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    r = client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert r.status_code == 503
    assert r.json()["detail"].startswith("sign-in is unavailable: the throttle's Redis")
