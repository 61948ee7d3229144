"""Rate limits in Django's cache, and the login attempts they limit.

- `over_limit()` is a fixed-window counter: one cache key per window (`cache.add` then
  `cache.incr`, both atomic in Redis and in local memory), so the limits hold across app
  servers that share a Redis cache. Comments and annotations are limited with it too.
- `client_ip()` is the address a request is counted under.
- `limit_login_attempts()` wraps a login view (the readers' and the admin's): failed logins
  counted per address and per account from that address; `limit_posts()` wraps sign-up and
  password reset.

Why not django-axes: it keeps attempts in database rows (or its own cache handler) behind its
own middleware and authentication backend, for a policy these thirty lines state whole, in
the same Redis counters that comments use and that hold across app servers.
"""

import hashlib
import time
import unicodedata
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


def _bucket(key, window):
    return f"{key}:{window}:{int(clock() // window)}"


def count(key, window):
    """Count one event for `key` in this window of `window` seconds; return how many so far."""
    bucket = _bucket(key, window)
    cache.add(bucket, 0, timeout=window)
    try:
        return cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window)
        return 1


def over_limit(key, limit, window):
    """Count one event for `key`; True when it is more than `limit` in this `window` seconds."""
    return count(key, window) > limit


def reached(key, limit, window):
    """`limit` events were counted for `key` in this window (without counting one more)."""
    return cache.get(_bucket(key, window), 0) >= limit


def digest(text):
    """A fixed-size key part for text a client sends (a 2 MB username makes a 64-byte key)."""
    return hashlib.sha256(text.encode()).hexdigest()


def account_name(raw):
    """The account a username names, as the limiter counts it: NFKC, as Django's username
    field reads it (so `ａｌｉｃｅ` is alice), and case-folded."""
    return unicodedata.normalize("NFKC", raw[:MAX_NAME_LENGTH]).strip().casefold()


# Longer is no username (150 characters); cut before normalizing, which can grow text.
MAX_NAME_LENGTH = 600


def login_counters(request):
    """(key, limit, window) of the failed logins this attempt is counted under.

    Per client address (one address guessing many accounts), and per account from that
    address (guessing one account). Not per account from every address: then anyone could
    lock the owner out from elsewhere, as five wrong passwords from anywhere did.
    """
    address = client_ip(request)
    limits = settings.LOGIN_RATE_LIMITS
    counters = [(f"ratelimit:login:ip:{address}", *limits["address"])]
    if name := account_name(request.POST.get("username", "")):
        counters.append((f"ratelimit:login:user:{digest(name)}:ip:{address}", *limits["username"]))
    return counters


def failed_login(request, response):
    """The login form came back (200 with its errors) and nobody is logged in."""
    return response.status_code == 200 and not request.user.is_authenticated


def too_many(request, window, message):
    response = render(
        request,
        "registration/rate_limited.html",
        {"title": "请稍后再试", "message": message, "minutes": max(1, window // 60)},
        status=429,
    )
    response["Retry-After"] = str(window)
    return response


def limit_login_attempts(view):
    """Wrap a login view (the readers' and the admin's): once an address, or an account from
    that address, has failed `LOGIN_RATE_LIMITS` times, a POST gets 429 and is not
    authenticated, right password or not. Only failures count."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        counters = login_counters(request)
        if any(reached(key, limit, window) for key, limit, window in counters):
            window = max(window for _, _, window in counters)
            return too_many(request, window, "登录失败次数过多")
        response = view(request, *args, **kwargs)
        if failed_login(request, response):
            for key, _, window in counters:
                count(key, window)
        return response

    return limited


def limit_posts(scope, limits_setting, *fields):
    """Wrap a form view: more POSTs than `settings.<limits_setting>` (posts, seconds) from one
    address, or naming one value of a `fields` field (the email a reset mails), get 429."""

    def decorate(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == "POST":
                limit, window = getattr(settings, limits_setting)
                keys = [f"ratelimit:{scope}:ip:{client_ip(request)}"]
                keys += [
                    f"ratelimit:{scope}:{field}:{digest(account_name(value))}"
                    for field in fields
                    if (value := request.POST.get(field, ""))
                ]
                over = [over_limit(key, limit, window) for key in keys]  # count under each
                if any(over):
                    return too_many(request, window, "提交太频繁了")
            return view(request, *args, **kwargs)

        return limited

    return decorate
