"""Operator commands: `python -m backend.cli migrate | bootstrap | create-key EMAIL |
openapi FILE` (the API's schema, which the web app's client is generated from)."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path

from sqlalchemy import func, select

from backend.db import session_scope
from backend.migrations import upgrade_to_head
from backend.models import ApiKeyKind, User
from backend.services.accounts import create_user, issue_key

LOCAL_ADMIN = "admin@konstruktor.local"


def bootstrap() -> str:
    """Create the first user and an API key on an empty database; say how to get one otherwise."""
    with session_scope() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return (
                "Users exist already. Get an API key with `POST /api/v1/auth/login` or "
                "`.venv/bin/python -m backend.cli create-key EMAIL`."
            )
        password = secrets.token_urlsafe(12)
        user = create_user(session, LOCAL_ADMIN, password)
        _row, key = issue_key(session, user, "first key", ApiKeyKind.api)
    return (
        f"Created user {LOCAL_ADMIN} with password {password}\n"
        f"Your first API key (shown once): {key}"
    )


def create_key(email: str, name: str) -> str:
    with session_scope() as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        if user is None:
            raise SystemExit(f"no user {email}; register with POST /api/v1/auth/register")
        _row, key = issue_key(session, user, name, ApiKeyKind.api)
    return key


def openapi_json() -> str:
    """The API's OpenAPI schema as stable, indented JSON."""
    from backend.main import create_app

    return json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database schema to the latest revision")
    sub.add_parser("bootstrap", help="create the first user and API key on an empty database")
    key = sub.add_parser("create-key", help="print a new API key for a user")
    key.add_argument("email")
    key.add_argument("--name", default="cli")
    schema = sub.add_parser("openapi", help="write the API's OpenAPI schema (JSON) to FILE")
    schema.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "openapi":
        args.file.write_text(openapi_json(), encoding="utf-8")
    elif args.command == "migrate":
        upgrade_to_head()
    elif args.command == "bootstrap":
        print(bootstrap())
    else:
        print(create_key(args.email, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
