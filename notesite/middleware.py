"""Response headers the whole site shares."""

from django.conf import settings


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
