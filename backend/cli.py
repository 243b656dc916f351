"""Operator commands: `python -m backend.cli migrate | bootstrap | create-user EMAIL |
create-key EMAIL | openapi FILE` (the API's schema, which the web app's client is generated
from)."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backend.db import session_scope
from backend.migrations import upgrade_to_head
from backend.models import ApiKeyKind, User
from backend.schemas import Credentials
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


def create_user_command(email: str, password: str | None) -> str:
    """Create an account (also when registration is closed); a password is made if none given."""
    made = password is None
    try:
        credentials = Credentials(
            email=email, password=secrets.token_urlsafe(12) if password is None else password
        )
    except ValidationError as exc:
        raise SystemExit(f"cannot create {email}: {exc.errors()[0]['msg']}") from exc
    try:
        with session_scope() as session:
            create_user(session, credentials.email, credentials.password)
    except IntegrityError as exc:
        raise SystemExit(f"{email} is registered already") from exc
    told = f" with password {credentials.password} (changeable once signed in)" if made else ""
    return f"Created user {credentials.email.lower()}{told}"


def create_key(email: str, name: str) -> str:
    with session_scope() as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        if user is None:
            raise SystemExit(f"no user {email}; create it with `create-user {email}`")
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
    user = sub.add_parser(
        "create-user", help="create an account; prints a made-up password unless given one"
    )
    user.add_argument("email")
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
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
    elif args.command == "create-user":
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
        print(create_user_command(args.email, password))
    else:
        print(create_key(args.email, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
