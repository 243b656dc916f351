"""Alembic migrations are the only author of the schema, and they agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from alembic import command
from backend.db import make_engine
from backend.migrations import alembic_config, upgrade_to_head
from backend.models import Base
from tests.support.services import postgres_database

pytestmark = pytest.mark.integration


def test_models_and_migrations_agree_on_postgresql() -> None:
    with postgres_database() as url:
        upgrade_to_head(url)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(context, Base.metadata)
                tables = set(inspect(conn).get_table_names())
        finally:
            engine.dispose()
        assert diff == [], f"models and migrations differ: {diff}"
        assert set(Base.metadata.tables) <= tables


def test_downgrade_to_base_and_up_again() -> None:
    with postgres_database() as url:
        config = alembic_config(url)
        command.upgrade(config, "head")
        command.downgrade(config, "base")
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                assert set(inspect(conn).get_table_names()) == {"alembic_version"}
        finally:
            engine.dispose()
        command.upgrade(config, "head")
