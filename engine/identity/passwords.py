"""Password hashing with argon2id (argon2-cffi), and the password rule shown to users."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
# argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane): about 50 ms on the office
# laptop's 2 cores. The library default (64 MiB, 3 passes, 4 lanes) took 0.6 s there, which made
# every login feel stuck. Parameters are stored in each hash; ``needs_rehash`` upgrades old hashes.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the user name is unknown, so that a wrong name takes as long as a wrong
# password and login timing does not reveal which names exist.
_DUMMY = _hasher.hash("amtskoffer-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def password_problems(password: str) -> list[str]:
    """German reasons why ``password`` may not be used (empty: fine)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Das Passwort muss mindestens {MIN_LENGTH} Zeichen lang sein.")
    if password.strip() != password:
        problems.append("Das Passwort darf nicht mit Leerzeichen beginnen oder enden.")
    return problems
