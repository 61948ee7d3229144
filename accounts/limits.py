"""Rate limits in Django's cache, and the login attempts they limit.

- `over_limit()` is a fixed-window counter: one cache key per window (`cache.add` then
  `cache.incr`, both atomic in Redis and in local memory), so the limits hold across app
  servers that share a Redis cache. Comments and annotations are limited with it too.
- `client_ip()` is the address a request is counted under.
- `limit_login_attempts()` wraps a login view (the readers' and the admin's) with counters per
  address and per username tried.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

# Seconds since the epoch. The counters' windows and the comment form's signed time both read
# this one clock, so that tests pin it in one place.
clock = time.time


def client_ip(request):
    """The address a request came from.

    `REMOTE_ADDR`, unless `TRUSTED_PROXY_COUNT` proxies of our own stand in front of the app:
    then the address the outermost of them saw, counted from the right of `X-Forwarded-For`
    (everything to its left was sent by the client and can be forged).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if proxies and len(hops) >= proxies:
        return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or "unknown"


def over_limit(key, limit, window):
    """Count one event for `key`; True when it is more than `limit` in this `window` seconds."""
    bucket = f"{key}:{window}:{int(clock() // window)}"
    cache.add(bucket, 0, timeout=window)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window)
        count = 1
    return count > limit


def login_rate_limited(request):
    """Count this login attempt; True when its address or username went over a limit.

    `LOGIN_RATE_LIMITS` gives (attempts, seconds) per client address and per username tried,
    so neither one address guessing many accounts nor many addresses guessing one account get
    far. Every attempt counts, right password or not.
    """
    username = request.POST.get("username", "").strip().lower()
    limits = settings.LOGIN_RATE_LIMITS
    over = [over_limit(f"ratelimit:login:ip:{client_ip(request)}", *limits["address"])]
    if username:
        over.append(over_limit(f"ratelimit:login:user:{username}", *limits["username"]))
    return any(over)


def limit_login_attempts(view):
    """Wrap a login view: a POST over `LOGIN_RATE_LIMITS` gets 429 and is not authenticated."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST" and login_rate_limited(request):
            window = min(window for _, window in settings.LOGIN_RATE_LIMITS.values())
            response = render(
                request,
                "registration/login_rate_limited.html",
                {"title": "登录尝试过多", "minutes": window // 60},
                status=429,
            )
            response["Retry-After"] = str(window)
            return response
        return view(request, *args, **kwargs)

    return limited
