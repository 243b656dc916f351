"""Users and their credentials: creation, key issuing, password checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.models import ApiKey, ApiKeyKind, User
from backend.security import hash_api_key, hash_password, new_api_key, verify_password

_DUMMY_HASH = hash_password("konstruktor-timing-equaliser")


def create_user(db: Session, email: str, password: str) -> User:
    user = User(email=email.lower(), password_hash=hash_password(password))
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The user with these credentials; a missing user costs the same scrypt time."""
    user = db.scalar(select(User).where(User.email == email.lower()))
    ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    return user if user is not None and ok else None


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


def purge_expired_tokens(db: Session) -> None:
    """Forget login tokens past their expiry."""
    db.execute(
        delete(ApiKey).where(
            ApiKey.kind == ApiKeyKind.session, ApiKey.expires_at < datetime.now(UTC)
        )
    )


def revoke_keys(
    db: Session, user: User, kinds: tuple[ApiKeyKind, ...], keep: ApiKey | None
) -> None:
    """Delete `user`'s keys of these kinds, all but `keep` (the request's own, if given)."""
    query = delete(ApiKey).where(ApiKey.owner_id == user.id, ApiKey.kind.in_(kinds))
    if keep is not None:
        query = query.where(ApiKey.id != keep.id)
    db.execute(query)


def change_password(
    db: Session, user: User, password: str, current: ApiKey, revoke_api_keys: bool
) -> None:
    """Set `user`'s password; sign out every session but `current`'s and, if asked, revoke
    every API key (`current` too, when it is one)."""
    user.password_hash = hash_password(password)
    kinds = (ApiKeyKind.session, ApiKeyKind.api) if revoke_api_keys else (ApiKeyKind.session,)
    revoke_keys(db, user, kinds, current if current.kind == ApiKeyKind.session else None)
