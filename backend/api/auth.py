"""Registration, login (throttled), password change, logging out and API keys."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from limits.errors import StorageError
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.api.deps import DB, CurrentKey, CurrentUser, SettingsDep, get_owned
from backend.api.errors import responses
from backend.models import ApiKey, ApiKeyKind, User
from backend.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    Credentials,
    TokenOut,
    UserOut,
)
from backend.security import verify_password
from backend.services.accounts import (
    authenticate,
    change_password,
    create_user,
    issue_key,
    purge_expired_tokens,
    revoke_keys,
)
from backend.services.throttle import Refusal, Throttle
from backend.settings import get_settings

router = APIRouter(tags=["auth"])
SESSION_TTL = timedelta(days=7)
REGISTRATION_CLOSED = (
    "registration is closed on this service: its operator creates accounts "
    "(`python -m backend.cli create-user EMAIL`); ask them for one"
)
_MAKING_THROTTLE = threading.Lock()


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=200)
    revoke_api_keys: bool = Field(False, description="revoke every API key of yours too")


def client_address(request: Request) -> str:
    """The client's address: the connection's peer, or what a proxy that uvicorn trusts
    (FORWARDED_ALLOW_IPS) put in X-Forwarded-For."""
    return request.client.host if request.client else "unknown"


def get_throttle(request: Request) -> Iterator[Throttle]:
    """The app's throttle, made on its first use from the settings of that moment; its
    storage (Redis) unreachable is a 503."""
    state = request.app.state
    with _MAKING_THROTTLE:
        if not hasattr(state, "throttle"):
            state.throttle = Throttle.from_settings(get_settings())
    try:
        yield state.throttle
    except StorageError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"sign-in is unavailable: the throttle's Redis cannot be reached ({exc.storage_error})",
        ) from exc


ClientAddress = Annotated[str, Depends(client_address)]
ThrottleDep = Annotated[Throttle, Depends(get_throttle)]


def refuse_if(refusal: Refusal | None) -> None:
    """Answer 429 with Retry-After when the throttle refused."""
    if refusal is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            refusal.detail,
            headers={"Retry-After": str(refusal.retry_after)},
        )


@router.post(
    "/auth/register",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    responses=responses(
        400, 409, 422, 429, 503, described={403: "The operator closed registration"}
    ),
)
def register(
    body: Credentials,
    db: DB,
    settings: SettingsDep,
    throttle: ThrottleDep,
    client: ClientAddress,
) -> User:
    """Create an account (when the operator keeps registration open)."""
    if settings.registration == "closed":
        raise HTTPException(status.HTTP_403_FORBIDDEN, REGISTRATION_CLOSED)
    refuse_if(throttle.register(client))
    try:
        user = create_user(db, body.email, body.password)
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"{body.email} is already registered; log in instead"
        ) from exc
    return user


@router.post("/auth/login", response_model=TokenOut, responses=responses(400, 401, 422, 429, 503))
def login(body: Credentials, db: DB, throttle: ThrottleDep, client: ClientAddress) -> TokenOut:
    """A 7-day login token; failed attempts are limited per account and per client."""
    refuse_if(throttle.sign_in(body.email, client))
    purge_expired_tokens(db)
    user = authenticate(db, body.email, body.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    throttle.signed_in(body.email)
    row, secret = issue_key(db, user, "login", ApiKeyKind.session, SESSION_TTL)
    db.commit()
    return TokenOut(token=secret, expires_at=row.expires_at)


@router.post(
    "/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=responses(401, 409, 422, 503)
)
def logout(key: CurrentKey, db: DB) -> None:
    """Revoke the login token this request carries (API keys: DELETE /api-keys/{id})."""
    if key.kind != ApiKeyKind.session:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "this is an API key, not a login token; revoke it with DELETE /api/v1/api-keys/{id}",
        )
    db.delete(key)
    db.commit()


@router.post(
    "/auth/logout-all", status_code=status.HTTP_204_NO_CONTENT, responses=responses(401, 422, 503)
)
def logout_all(user: CurrentUser, db: DB) -> None:
    """Revoke every login token of yours, this one too (API keys: DELETE /api-keys/{id})."""
    revoke_keys(db, user, (ApiKeyKind.session,), keep=None)
    db.commit()


@router.post(
    "/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(400, 401, 422, 429, 503, described={403: "The current password is wrong"}),
)
def change_own_password(
    body: PasswordChange,
    key: CurrentKey,
    user: CurrentUser,
    db: DB,
    throttle: ThrottleDep,
    client: ClientAddress,
) -> None:
    """Change your password: every other login token is revoked, API keys only if asked.
    Wrong current passwords count as failed sign-ins of the account."""
    refuse_if(throttle.sign_in(user.email, client))
    if not verify_password(body.current_password, user.password_hash):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the current password is wrong")
    throttle.signed_in(user.email)
    change_password(db, user, body.new_password, key, body.revoke_api_keys)
    db.commit()


@router.get("/auth/me", response_model=UserOut, responses=responses(401, 422, 503))
def me(user: CurrentUser) -> User:
    return user


@router.post(
    "/api-keys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 422, 503),
)
def create_api_key(body: ApiKeyCreate, user: CurrentUser, db: DB) -> ApiKeyCreated:
    row, secret = issue_key(db, user, body.name, ApiKeyKind.api)
    db.commit()
    return ApiKeyCreated(**ApiKeyOut.model_validate(row).model_dump(), key=secret)


@router.get("/api-keys", response_model=list[ApiKeyOut], responses=responses(401, 422, 503))
def list_api_keys(user: CurrentUser, db: DB) -> list[ApiKey]:
    return list(
        db.scalars(
            select(ApiKey)
            .where(ApiKey.owner_id == user.id, ApiKey.kind == ApiKeyKind.api)
            .order_by(ApiKey.created_at)
        )
    )


@router.delete(
    "/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 404, 422, 503),
)
def delete_api_key(key_id: str, user: CurrentUser, db: DB) -> None:
    db.delete(get_owned(db, ApiKey, key_id, user, "API key"))
    db.commit()
