"""Old addresses of imported notes (`OldAddress`) answered with a 301 to the note.

Only a 404 is looked up, so pages that exist cost no query and no old address can shadow
one. An address is stored normalized (`normalize_path`), and a request's path is normalized
the same way before the lookup: with or without a trailing slash or `index.html`, and
percent-encoded or not (Django hands views the decoded path, which is what is stored).
"""

from urllib.parse import unquote, urlsplit

from django.http import HttpResponsePermanentRedirect

from .models import OldAddress

INDEX_FILES = ("index.html", "index.htm")


def normalize_path(path):
    """`/a/b` for `a/b/`, `/a/b/index.html`, `/a/%62` and `https://old.blog/a/b/?x#y`: the one
    form an address is kept in (front matter may give a whole URL)."""
    path = "/" + unquote(urlsplit(path.strip()).path).lstrip("/")
    for index in INDEX_FILES:
        if path.endswith("/" + index):
            path = path.removesuffix(index)
    return path.rstrip("/") or "/"


def redirect_for(path):
    """The 301 to the note at old address `path`, or None (unknown, or not public)."""
    address = OldAddress.objects.select_related("note").filter(path=normalize_path(path)).first()
    if address is None or not address.note.is_public:
        return None
    return HttpResponsePermanentRedirect(address.note.get_absolute_url())


class OldAddressMiddleware:
    """Turn a 404 for an old address into a 301 to its note (as contrib.redirects' fallback
    middleware does, for OldAddress)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        return redirect_for(request.path_info) or response
