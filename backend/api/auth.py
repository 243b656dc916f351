"""Registration, login and API keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.api.deps import DB, CurrentUser, get_owned
from backend.models import ApiKey, ApiKeyKind, User
from backend.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    Credentials,
    TokenOut,
    UserOut,
)
from backend.security import hash_api_key, hash_password, new_api_key, verify_password

router = APIRouter(tags=["auth"])
SESSION_TTL = timedelta(days=7)


def issue_key(
    db: Session, user: User, name: str, kind: ApiKeyKind, ttl: timedelta | None = None
) -> tuple[ApiKey, str]:
    """Create a key row for `user`; return it with the secret (never stored)."""
    secret = new_api_key()
    row = ApiKey(
        owner_id=user.id,
        name=name,
        kind=kind,
        prefix=secret[:12],
        key_hash=hash_api_key(secret),
        expires_at=datetime.now(UTC) + ttl if ttl else None,
    )
    db.add(row)
    db.flush()
    return row, secret


def create_user(db: Session, email: str, password: str) -> User:
    user = User(email=email.lower(), password_hash=hash_password(password))
    db.add(user)
    db.flush()
    return user


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
    user = db.scalar(select(User).where(User.email == body.email.lower()))
    if user is None or not verify_password(body.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    row, secret = issue_key(db, user, "login", ApiKeyKind.session, SESSION_TTL)
    db.commit()
    return TokenOut(token=secret, expires_at=row.expires_at)


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
