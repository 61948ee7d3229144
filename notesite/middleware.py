"""What the whole site shares: response headers, and addresses refused before any view."""

import re

from django.conf import settings
from django.shortcuts import render


def content_security_policy():
    """`CONTENT_SECURITY_POLICY` ({directive: [sources]}) as one header value."""
    return "; ".join(
        " ".join([directive, *sources])
        for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
    )


class ContentSecurityPolicyMiddleware:
    """Send the site's Content-Security-Policy on every response that has none of its own.

    Django 5.2 has no CSP of its own; the policy is one fixed string, so this is all it takes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", content_security_policy())
        return response


# No page's address has a control character, and PostgreSQL refuses NUL in any text it is
# asked to look up (a slug, a tag), which made such addresses a 500.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class RefuseControlCharactersMiddleware:
    """Answer 400, saying why, to an address with a control character, before any query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL_CHARACTERS.search(request.path):
            message = "网址里有无法处理的字符(如 NUL),请检查链接。"
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)
