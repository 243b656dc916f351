"""Shared request dependencies: database session, storage, queue, the authenticated user."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Header, HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.errors import BUSY_RETRY_AFTER_S
from backend.db import get_sessionmaker
from backend.loop_slots import LoopSlots
from backend.models import ApiKey, OwnedMixin, User
from backend.queue import JobDispatcher, make_celery
from backend.security import hash_api_key
from backend.settings import Settings, get_settings
from backend.storage import create_storage
from storage import Storage

T = TypeVar("T", bound=OwnedMixin)
LAST_USED_RESOLUTION = timedelta(minutes=1)
SLOT = "konstruktor.session_slot"  # Session.info key: the slot semaphore a session holds


@lru_cache
def get_session_slots() -> LoopSlots:
    """How many requests may hold a database session at once: the pool's connections less
    one for each API thread (KONSTRUKTOR_API_THREADS). FastAPI runs a request's sync parts in
    separate threadpool turns; a request keeps its session's connection between them. Were
    there more sessions than this, every thread could end up waiting for a connection held
    by requests that wait for a thread: the API would stand still. So the rest wait here,
    holding neither, up to the pool's timeout (then 503 + Retry-After)."""
    settings = get_settings()
    return LoopSlots(settings.db_pool_size + settings.db_pool_overflow - settings.api_threads)


async def get_db() -> AsyncIterator[Session]:
    """The request's database session, in one of the session slots (see get_session_slots);
    closed and its slot freed when the request ends, even when its client went away."""
    slots = get_session_slots().semaphore()
    try:
        if slots.locked():  # wait, within the pool's timeout
            await asyncio.wait_for(slots.acquire(), get_settings().db_pool_timeout_s)
        else:
            await slots.acquire()
    except TimeoutError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the service is busy (every database session is in use); try again shortly",
            headers={"Retry-After": str(BUSY_RETRY_AFTER_S)},
        ) from exc
    session = get_sessionmaker()()
    session.info[SLOT] = slots
    try:
        yield session
    finally:
        with anyio.CancelScope(shield=True):  # in a thread of its own, as FastAPI's exits
            await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
        _free_slot(session)


def let_go(session: Session) -> None:
    """End the request's session now and free its slot: for an async route that goes on to
    wait long without the database (an upload streaming in, then in the ingest line)."""
    session.close()
    _free_slot(session)


def _free_slot(session: Session) -> None:
    slots = session.info.pop(SLOT, None)
    if slots is not None:
        slots.release()


@lru_cache
def get_storage() -> Storage:
    return create_storage(get_settings())


@lru_cache
def get_dispatcher() -> JobDispatcher:
    return JobDispatcher(make_celery(get_settings()))


DB = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StorageDep = Annotated[Storage, Depends(get_storage)]
DispatcherDep = Annotated[JobDispatcher, Depends(get_dispatcher)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def current_key(
    db: DB,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> ApiKey:
    """The valid credential in `Authorization: Bearer KEY` or `X-API-Key: KEY`."""
    key = x_api_key
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise _unauthorized("use `Authorization: Bearer <API key or login token>`")
        key = value.strip()
    if not key:
        raise _unauthorized("authentication required: send `Authorization: Bearer <API key>`")
    row = db.scalar(select(ApiKey).where(ApiKey.key_hash == hash_api_key(key)))
    now = datetime.now(UTC)
    if row is None:
        raise _unauthorized("invalid API key or token")
    if row.expires_at is not None and row.expires_at < now:
        raise _unauthorized("the token has expired; log in again")
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
        db.commit()
    return row


CurrentKey = Annotated[ApiKey, Depends(current_key)]


def current_user(db: DB, key: CurrentKey) -> User:
    """The owner of the request's credential."""
    user = db.get(User, key.owner_id)
    if user is None:
        raise _unauthorized("invalid API key or token")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def get_owned(db: Session, model: type[T], row_id: str, user: User, what: str) -> T:
    """The row `row_id` of `model` if `user` owns it; 404 otherwise (no existence leak)."""
    row = db.scalar(select(model).where(model.id == row_id, model.owner_id == user.id))
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{what} {row_id} not found")
    return row
