"""The CSRF token of a filled page: Django's `get_token()`, its random characters drawn faster.

`get_token()` masks the request's secret with 32 random characters, and makes the secret of a
reader without a CSRF cookie from 32 more, each from its own `secrets.choice()` call (one
os.urandom call each): a third of the CPU of a cached hit of a note with a comment form,
anonymous (cProfile, 2,000 hits). `token()` makes the same token in the same way, the same
characters drawn uniformly from the same alphabet, from one `secrets.token_bytes()` call: a
byte below 248 (4 x 62) picks `CSRF_ALLOWED_CHARS[byte % 62]`, a higher one is dropped, so
every character is equally likely; the loops over characters are bytes.translate() and map()
over tables made once. The request is left as `get_token()` leaves it (the
secret in `request.META["CSRF_COOKIE"]`, the cookie to be sent), which is what
CsrfViewMiddleware reads when it sets the cookie and when it checks a form's token
(tests/notesite/test_csrf_tokens.py posts one).
"""

import secrets
from operator import getitem

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

ALPHABET = CSRF_ALLOWED_CHARS
USABLE_BYTES = 256 - 256 % len(ALPHABET)  # 248: below it, byte % 62 is uniform
UNUSABLE_BYTES = bytes(range(USABLE_BYTES, 256))
CHARACTER_OF_BYTE = bytes(ord(ALPHABET[byte % len(ALPHABET)]) for byte in range(256))
# A secret's character -> the characters it is masked into, by the mask's byte: Django's
# ALPHABET[(secret index + mask index) % 62], the mask's index being byte % 62.
MASKED = {
    char: "".join(ALPHABET[(index + byte) % len(ALPHABET)] for byte in range(USABLE_BYTES))
    for index, char in enumerate(ALPHABET)
}


def random_bytes(length):
    """`length` random bytes below USABLE_BYTES, each of them equally likely."""
    usable = b""
    while len(usable) < length:  # twice the bytes needed: a second round is all but never
        usable += secrets.token_bytes(2 * length).translate(None, UNUSABLE_BYTES)
    return usable[:length]


def characters(random):
    """The characters of ALPHABET that the bytes of `random_bytes()` pick."""
    return random.translate(CHARACTER_OF_BYTE).decode("ascii")


def random_string(length=CSRF_SECRET_LENGTH):
    """`length` characters of ALPHABET, each equally likely (as get_random_string's)."""
    return characters(random_bytes(length))


def token(request):
    """A new masked token for the request's CSRF secret, made as django.middleware.csrf
    get_token() makes it (a new secret, to be sent as a cookie, when the request has none).
    Character by character, in C: bytes.translate() and map() do the loops."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = random_string()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # sent again, renewing its expiry
    mask = random_bytes(len(secret))
    return characters(mask) + "".join(map(getitem, map(MASKED.__getitem__, secret), mask))
