"""The production server in tests: gunicorn with DEBUG=0 over plain HTTP, and a browser-like client.

`gunicorns()` starts one server per environment on free ports; `Client` talks to them as a
browser would: its own cookies, forms read from the page (with their CSRF token), redirects and
refusals handed back rather than followed or raised.
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookiejar import CookieJar

import pytest

from tests.notesite.test_settings import NOT_INHERITED, PRODUCTION, PROJECT

GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "notesite/gunicorn.conf.py", "notesite.wsgi"]
STARTUP_SECONDS = 15


def production_env(**variables):
    """This process's environment as a production server's, plus `variables`.

    DEBUG=0 for 127.0.0.1 over plain HTTP, one worker with two threads. A REDIS_URL of the
    developer's is not inherited: a server uses Redis only when `variables` say so.
    """
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in NOT_INHERITED and name != "REDIS_URL"
    }
    return {
        **inherited,
        **PRODUCTION,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        **variables,
    }


def free_ports(count):
    """`count` distinct free ports on 127.0.0.1 (held together, so none is handed out twice)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


class Gunicorn:
    """One gunicorn process. It writes to a file: a pipe that nobody reads could fill up and
    block it."""

    def __init__(self, name, env, port):
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in stopped_output)
        self.process = subprocess.Popen(
            GUNICORN,
            cwd=PROJECT,
            env={**env, "PORT": str(port)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.output = None

    def wait_until_up(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError as error:  # refused while starting; HTTPError for a 500 or 503
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.terminate()
                    pytest.fail(
                        f"gunicorn {self.name} did not answer {self.url}/healthz ({error}); "
                        f"its output:\n{self.stopped_output()}"
                    )
                time.sleep(0.1)

    def stopped_output(self):
        """Everything the server wrote, once it has stopped (terminate it first)."""
        if self.output is None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.log.seek(0)
            self.output = self.log.read()
            self.log.close()
        return self.output


@contextmanager
def gunicorns(**environments):
    """Start a gunicorn per name=environment, each on its own free port, and yield their URLs by
    name once every one answers /healthz. They start and stop together, to save time; their
    output is printed at the end (pytest shows it when the test fails)."""
    servers = []
    try:
        ports = free_ports(len(environments))
        for (name, env), port in zip(environments.items(), ports, strict=True):
            servers.append(Gunicorn(name, env, port))
        for server in servers:
            server.wait_until_up()
        yield {server.name: server.url for server in servers}
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            print(f"--- gunicorn {server.name} ({server.url}) ---\n{server.stopped_output()}")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode()


class KeepEveryResponse(urllib.request.HTTPErrorProcessor):
    """Hand back redirects and 4xx/5xx as they are: tests look at them (and follow on purpose)."""

    def http_response(self, request, response):
        return response


class Client:
    """One simulated browser: its own cookie jar, shared by every server on 127.0.0.1 (cookies
    are per host, not per port), as one browser in front of one load balancer."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), KeepEveryResponse()
        )

    def get(self, url):
        return self.open(urllib.request.Request(url))

    def post(self, url, fields, referer):
        data = urllib.parse.urlencode(fields).encode()
        return self.open(urllib.request.Request(url, data, {"Referer": referer}))

    def open(self, request):
        with self.opener.open(request, timeout=10) as response:
            return Response(response.status, response.headers, response.read())

    def submit(self, page_url, form, **changes):
        """GET `page_url`, fill in its form (see `read_form`) with `changes` and post it."""
        page = self.get(page_url)
        assert page.status == 200, page.text
        action, fields = read_form(page.text, *form)
        names = {name for name, _ in fields}
        fields = [(name, changes.get(name, value)) for name, value in fields]
        fields += [(name, value) for name, value in changes.items() if name not in names]
        return self.post(urllib.parse.urljoin(page_url, action), fields, referer=page_url)


def read_form(html, attribute, value):
    """The action and the (name, value) pairs a browser sends of the first form whose
    `attribute` (e.g. "id" or "class") has the word `value`; its submit buttons left out."""
    parser = FormReader(attribute, value)
    parser.feed(html)
    parser.close()
    assert parser.state == "done", f'no <form {attribute}="{value}"> in the page'
    return parser.action, parser.fields


class FormReader(HTMLParser):
    """The parser behind `read_form`."""

    def __init__(self, attribute, value):
        super().__init__()
        self.wanted = (attribute, value)
        self.state = "before"  # then "inside", then "done"
        self.action = ""
        self.fields = []
        self.select = None  # (name, multiple, [(value, selected)]) while inside a <select>
        self.textarea = None  # [name, text] while inside a <textarea>

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        attribute, value = self.wanted
        if tag == "form" and self.state == "before" and value in attrs.get(attribute, "").split():
            self.state = "inside"
            self.action = attrs.get("action", "")
        if self.state != "inside" or "disabled" in attrs:
            return
        if tag == "option" and self.select:
            self.select[2].append((attrs.get("value", ""), "selected" in attrs))
        elif "name" not in attrs:
            return
        elif tag == "input":
            self.add_input(attrs)
        elif tag == "select":
            self.select = (attrs["name"], "multiple" in attrs, [])
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def add_input(self, attrs):
        kind = attrs.get("type", "text")
        if kind in {"submit", "button", "reset", "image", "file"}:
            return
        if kind in {"checkbox", "radio"} and "checked" not in attrs:
            return
        default = "on" if kind in {"checkbox", "radio"} else ""
        self.fields.append((attrs["name"], attrs.get("value", default)))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if self.state != "inside":
            return
        if tag == "form":
            self.state = "done"
        elif tag == "textarea" and self.textarea:
            name, text = self.textarea
            # A newline right after <textarea> is markup, not value (Django writes one).
            self.fields.append((name, text.removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select:
            name, multiple, options = self.select
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple:
                chosen = [value for value, _ in options[:1]]  # what a browser shows selected
            self.fields += [(name, value) for value in chosen]
            self.select = None
