"""Database engine and sessions (SQLAlchemy 2): SQLite file by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from backend.settings import get_settings


def make_engine(
    url: str, pool_size: int = 10, overflow: int = 30, timeout_s: float = 10.0
) -> Engine:
    """An engine for `url` with a pool of `pool_size` (+ `overflow` under load) connections,
    waited for `timeout_s` at most (then sqlalchemy.exc.TimeoutError, which the API answers
    with 503 + Retry-After); SQLite gets WAL, foreign keys and a busy timeout."""
    pool = {"pool_size": pool_size, "max_overflow": overflow, "pool_timeout": timeout_s}
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **pool)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    else:
        pool = {}  # one in-memory database per connection: SQLAlchemy's single-thread pool
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(
        settings.sqlalchemy_url,
        settings.db_pool_size,
        settings.db_pool_overflow,
        settings.db_pool_timeout_s,
    )


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
