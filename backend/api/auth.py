"""Registration, login and API keys."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.api.deps import DB, CurrentKey, CurrentUser, get_owned
from backend.models import ApiKey, ApiKeyKind, User
from backend.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    Credentials,
    TokenOut,
    UserOut,
)
from backend.services.accounts import (
    authenticate,
    create_user,
    issue_key,
    purge_expired_tokens,
)

router = APIRouter(tags=["auth"])
SESSION_TTL = timedelta(days=7)


@router.post("/auth/register", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def register(body: Credentials, db: DB) -> User:
    try:
        user = create_user(db, body.email, body.password)
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"{body.email} is already registered; log in instead"
        ) from exc
    return user


@router.post("/auth/login", response_model=TokenOut)
def login(body: Credentials, db: DB) -> TokenOut:
    purge_expired_tokens(db)
    user = authenticate(db, body.email, body.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    row, secret = issue_key(db, user, "login", ApiKeyKind.session, SESSION_TTL)
    db.commit()
    return TokenOut(token=secret, expires_at=row.expires_at)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(key: CurrentKey, db: DB) -> None:
    """Revoke the login token this request carries (API keys: DELETE /api-keys/{id})."""
    if key.kind != ApiKeyKind.session:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "this is an API key, not a login token; revoke it with DELETE /api/v1/api-keys/{id}",
        )
    db.delete(key)
    db.commit()


@router.get("/auth/me", response_model=UserOut)
def me(user: CurrentUser) -> User:
    return user


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
def create_api_key(body: ApiKeyCreate, user: CurrentUser, db: DB) -> ApiKeyCreated:
    row, secret = issue_key(db, user, body.name, ApiKeyKind.api)
    db.commit()
    return ApiKeyCreated(**ApiKeyOut.model_validate(row).model_dump(), key=secret)


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_api_keys(user: CurrentUser, db: DB) -> list[ApiKey]:
    return list(
        db.scalars(
            select(ApiKey)
            .where(ApiKey.owner_id == user.id, ApiKey.kind == ApiKeyKind.api)
            .order_by(ApiKey.created_at)
        )
    )


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_api_key(key_id: str, user: CurrentUser, db: DB) -> None:
    db.delete(get_owned(db, ApiKey, key_id, user, "API key"))
    db.commit()
