"""Views of the deployment itself, not of any app."""

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def database_ok():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def cache_ok():
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
