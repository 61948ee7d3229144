"""Protection for the forms readers post: a signed timestamp and rate limits.

- A form carries the time it was rendered and an HMAC of its target and that time
  (`security_hash`, as in django-contrib-comments). A changed target or timestamp no longer
  matches (the post is refused with a 400); a matching one tells how long the reader took, so
  posts faster than `COMMENTS_MIN_SECONDS` or forms older than `COMMENTS_FORM_MAX_AGE` are
  refused too.
- `rate_limited()` counts posts per client address and per account with the fixed-window
  counters that also limit logins (`accounts.limits`). Forms are timed by the same clock,
  `accounts.limits.clock`, the one that tests pin.
"""

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import limits

HASH_SALT = "annotations.abuse.security_hash"


def security_hash(target, timestamp):
    return salted_hmac(HASH_SALT, f"{target}:{timestamp}", algorithm="sha256").hexdigest()


def security_data(target, now=None):
    """The hidden fields of a fresh form for `target` (e.g. "papers.note:7")."""
    timestamp = int(limits.clock() if now is None else now)
    return {"timestamp": timestamp, "security_hash": security_hash(target, timestamp)}


def _form_time(request):
    """One timestamp per response, so that every form on it matches its hash."""
    if not hasattr(request, "form_time"):
        request.form_time = int(limits.clock())
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
    return (limits.clock() if now is None else now) - timestamp


def rate_limited(request, scope):
    """Count this post; True when its address or account went over a limit of `scope`.

    `COMMENTS_RATE_LIMITS` is a list of (posts, seconds) pairs, applied per address and, for
    signed-in readers, per account. Every counter counts the post, refused or not.
    """
    idents = [f"ip:{limits.client_ip(request)}"]
    if request.user.is_authenticated:
        idents.append(f"user:{request.user.pk}")
    over = [
        limits.over_limit(f"ratelimit:{scope}:{ident}", limit, window)
        for ident in idents
        for limit, window in settings.COMMENTS_RATE_LIMITS
    ]
    return any(over)
