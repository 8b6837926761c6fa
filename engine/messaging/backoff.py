"""When to try a failed delivery again (pure).

Exponential backoff with a cap and deterministic jitter: after the n-th failed attempt the
message waits ``min(cap, base * 2**(n-1))`` scaled by a factor between 0.5 and 1.0. The factor
comes from a hash of the message id and n, so many messages that failed together (the
receiver was down) spread out instead of returning all at once, and a test can predict the
schedule exactly.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta


def jitter_factor(message_id: uuid.UUID, attempt: int) -> float:
    """A number in [0.5, 1.0), fixed for the message and the attempt."""
    digest = hashlib.sha256(f"{message_id}:{attempt}".encode("ascii")).digest()
    return 0.5 + int.from_bytes(digest[:8], "big") / 2**65


def retry_delay(message_id: uuid.UUID, failed_attempts: int, *, base_s: float, cap_s: float) -> timedelta:
    """How long to wait after ``failed_attempts`` (≥ 1) failed attempts."""
    if failed_attempts < 1:
        raise ValueError("retry_delay needs at least one failed attempt")
    exponent = min(failed_attempts - 1, 62)  # 2**62 * base is far beyond any cap
    raw = min(cap_s, base_s * 2**exponent)
    return timedelta(seconds=raw * jitter_factor(message_id, failed_attempts))
