"""Protection for the forms readers post: a signed timestamp, the client's address, rate limits.

- A form carries the time it was rendered and an HMAC of its target and that time
  (`security_hash`, as in django-contrib-comments). A changed target or timestamp no longer
  matches (the post is refused with a 400); a matching one tells how long the reader took, so
  posts faster than `COMMENTS_MIN_SECONDS` or forms older than `COMMENTS_FORM_MAX_AGE` are
  refused too.
- `rate_limited()` counts posts per client address and per account in Django's cache, one
  counter per fixed window (`cache.add` then `cache.incr`, both atomic in Redis and in local
  memory), so the limits hold across app servers that share a Redis cache.
- `limit_login_attempts()` wraps a login view (the readers' and the admin's) with the same
  counters, per address and per username tried.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.crypto import constant_time_compare, salted_hmac

HASH_SALT = "annotations.abuse.security_hash"
clock = time.time  # seconds since the epoch; tests pin it


def security_hash(target, timestamp):
    return salted_hmac(HASH_SALT, f"{target}:{timestamp}", algorithm="sha256").hexdigest()


def security_data(target, now=None):
    """The hidden fields of a fresh form for `target` (e.g. "papers.note:7")."""
    timestamp = int(clock() if now is None else now)
    return {"timestamp": timestamp, "security_hash": security_hash(target, timestamp)}


def _form_time(request):
    """One timestamp per response, so that every form on it matches its hash."""
    if not hasattr(request, "form_time"):
        request.form_time = int(clock())
    return request.form_time


# The comment form renders its timestamp and hash as page-cache placeholders (notesite wires
# these two in), so that a cached page still gets a fresh, signed time on every response.
def fill_form_time(request, argument):
    return str(_form_time(request))


def fill_form_hash(request, target):
    return security_hash(target, _form_time(request))


def hash_matches(target, timestamp, given):
    return constant_time_compare(security_hash(target, timestamp), given or "")


def form_age(timestamp, now=None):
    """Seconds since the form was rendered."""
    return (clock() if now is None else now) - timestamp


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


def _over_limit(key, limit, window):
    bucket = f"{key}:{window}:{int(clock() // window)}"
    cache.add(bucket, 0, timeout=window)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window)
        count = 1
    return count > limit


def rate_limited(request, scope):
    """Count this post; True when its address or account went over a limit of `scope`.

    `COMMENTS_RATE_LIMITS` is a list of (posts, seconds) pairs, applied per address and, for
    signed-in readers, per account. Every counter counts the post, refused or not.
    """
    idents = [f"ip:{client_ip(request)}"]
    if request.user.is_authenticated:
        idents.append(f"user:{request.user.pk}")
    over = [
        _over_limit(f"ratelimit:{scope}:{ident}", limit, window)
        for ident in idents
        for limit, window in settings.COMMENTS_RATE_LIMITS
    ]
    return any(over)


def login_rate_limited(request):
    """Count this login attempt; True when its address or username went over a limit.

    `LOGIN_RATE_LIMITS` gives (attempts, seconds) per client address and per username tried,
    so neither one address guessing many accounts nor many addresses guessing one account get
    far. Every attempt counts, right password or not.
    """
    username = request.POST.get("username", "").strip().lower()
    limits = settings.LOGIN_RATE_LIMITS
    over = [_over_limit(f"ratelimit:login:ip:{client_ip(request)}", *limits["address"])]
    if username:
        over.append(_over_limit(f"ratelimit:login:user:{username}", *limits["username"]))
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
