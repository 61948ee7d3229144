"""Views of the deployment itself, not of any app."""

import logging
import secrets
import sys

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error

logger = logging.getLogger(__name__)


def database_ok():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def cache_ok():
    if hasattr(cache, "ping"):  # Redis: the cache would answer from memory while it is down
        return cache.ping()
    key = f"healthz:{secrets.token_hex(8)}"
    cache.set(key, "ok", timeout=10)
    try:
        return cache.get(key) == "ok"
    finally:
        cache.delete(key)


@never_cache
def healthz(request):
    """{"database": "ok", "cache": "ok"} with 200, or 503 with "error" for the part that failed.

    The reason is logged, not shown: the URL is public.
    """
    checks = {"database": database_ok, "cache": cache_ok}
    status = {}
    for name, check in checks.items():
        try:
            status[name] = "ok" if check() else "error"
        except Exception:  # any failure of the service is the answer, not a 500
            logger.exception("healthz: the %s check failed", name)
            status[name] = "error"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)


# How long a reader is told to wait when the database does not answer.
RETRY_AFTER_SECONDS = 30


def unavailable_or_server_error(request):
    """handler500: a database that cannot be reached is a 503 with Retry-After (the next
    request reconnects by itself), anything else the site's 500 page.

    Called while the exception is being handled, so sys.exc_info() holds it. Like 500.html,
    503.html renders without a request context or a query.
    """
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return server_error(request)
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
