from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.db import session_scope
from backend.models import ApiKey, ApiKeyKind, utcnow
from tests.support.api import API, new_user


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
