"""Fixed-window counters in the Django cache (Redis in production: shared by every web
process), for the limits of what people may send (messages to an account manager, reviews, questions and answers).
The reviews count with it too (`reviews.services._common.rate_limit_hit`)."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def window_hit(*, scope: str, who: str, limit: int, window: int) -> int | None:
    """Count one action of `who` in `scope` in the current window of `window` seconds;
    None while at most `limit` were counted, else the seconds until the window ends."""
    now = time.time()
    bucket = int(now // window)
    digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"comptoir:rate:{scope}:{digest}:{bucket}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, int((bucket + 1) * window - now))
