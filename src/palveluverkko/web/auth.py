"""Planners' sign-in: argon2 password hashes, server-side sessions with a CSRF token, roles.

The session cookie holds a random token; the database keeps only its SHA-256, so a copy of the
database cannot be replayed as a cookie. Each session has its own CSRF token, which every
state-changing request must send back (header ``X-CSRF-Token`` or form field ``csrf_token``).
Visitors without a session get a double-submit token in the ``pv_csrf`` cookie instead.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from ..errors import InputError
from .db import ROLES, SessionRow, User, now

log = logging.getLogger("palveluverkko.web")

__all__ = ["SESSION_HOURS", "Principal", "add_user", "check_password", "token_matches"]

SESSION_HOURS = 12
"""A session lasts a working day."""

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password")  # equal work for unknown names (no timing oracle)


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request."""

    user_id: int
    name: str
    role: str
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of two tokens (False when either is missing)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def add_user(db: Session, name: str, role: str, password: str) -> User:
    """Create a user or change an existing user's role and password.

    Raises
    ------
    InputError
        For an unknown role, an empty name or a password shorter than 10 characters.
    """
    name = name.strip()
    if role not in ROLES:
        raise InputError(f"users add: role {role!r} is unknown; use one of {', '.join(ROLES)}")
    if not name or len(name) > 100:
        raise InputError("users add: the name must have 1 to 100 characters")
    if len(password) < 10:
        raise InputError("users add: the password must have at least 10 characters")
    user = db.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, role=role, password_hash=_HASHER.hash(password), created_at=now())
        db.add(user)
    else:
        user.role, user.password_hash = role, _HASHER.hash(password)
    db.commit()
    log.info("user %s saved with role %s", name, role)
    return user


def check_password(db: Session, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else None (same work either way)."""
    user = db.scalar(select(User).where(User.name == name.strip()))
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def open_session(factory: sessionmaker[Session], user: User) -> tuple[str, str]:
    """Store a new session for ``user``; returns the cookie token and the CSRF token."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with factory() as db:
        db.execute(delete(SessionRow).where(SessionRow.expires_at < now()))
        db.add(
            SessionRow(
                token_hash=_digest(token),
                user_id=user.id,
                csrf=csrf,
                created_at=now(),
                expires_at=now() + timedelta(hours=SESSION_HOURS),
            )
        )
        db.commit()
    return token, csrf


def close_session(factory: sessionmaker[Session], token: str) -> None:
    """Forget the session of ``token``."""
    with factory() as db:
        db.execute(delete(SessionRow).where(SessionRow.token_hash == _digest(token)))
        db.commit()


def principal_of(factory: sessionmaker[Session], token: str | None) -> Principal | None:
    """The user of a session cookie, or None for no, unknown or expired sessions."""
    if not token or len(token) > 100:
        return None
    with factory() as db:
        row = db.get(SessionRow, _digest(token))
        if row is None or row.expires_at < now():
            return None
        user = db.get(User, row.user_id)
        if user is None:
            return None
        return Principal(user.id, user.name, user.role, row.csrf)
