"""URL names of the annotations app, and which apps may import which."""

import ast
from pathlib import Path

import pytest
from django.urls import resolve, reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        (
            "annotations:comment-post",
            {"slug": "注意力"},
            "/notes/%E6%B3%A8%E6%84%8F%E5%8A%9B/comments/",
        ),
        ("annotations:comment-edit", {"pk": 7}, "/comments/7/edit/"),
        ("annotations:comment-delete", {"pk": 7}, "/comments/7/delete/"),
        ("annotations:annotation-list", {"slug": "attention"}, "/notes/attention/annotations/"),
        (
            "annotations:annotation-collection",
            {"slug": "attention"},
            "/notes/attention/annotations.jsonld",
        ),
        ("annotations:annotation", {"pk": 7}, "/annotations/7/"),
        ("annotations:reply-create", {"pk": 7}, "/annotations/7/replies/"),
        ("annotations:annotation-flag", {"pk": 7}, "/annotations/7/flag/"),
        ("annotations:reply", {"pk": 7}, "/annotation-replies/7/"),
        ("annotations:reply-flag", {"pk": 7}, "/annotation-replies/7/flag/"),
        ("annotations:mine", {}, "/annotations/mine/"),
        ("annotations:mine-markdown", {}, "/annotations/mine/export.md"),
        ("annotations:mine-jsonld", {}, "/annotations/mine/export.jsonld"),
    ],
)
def test_urls_round_trip(name, kwargs, path):
    """Each comment and annotation URL name reverses to its path and resolves back."""
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name


def imported_apps(app):
    """Top-level packages that modules of `app` import."""
    names = set()
    for source in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("app", "unknown"),
    [
        ("papers", {"accounts", "annotations", "notesite"}),
        ("topics", {"annotations", "papers", "notesite"}),
        ("annotations", {"notesite"}),
        ("accounts", {"annotations", "papers", "topics", "notesite"}),
    ],
)
def test_dependencies_run_one_way(app, unknown):
    """annotations → papers → topics, and annotations → accounts: no app imports one that
    depends on it."""
    assert not imported_apps(app) & unknown
