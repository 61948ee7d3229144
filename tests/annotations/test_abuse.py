"""One test per attack: each refused with its status and message, and nothing stored."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from annotations.models import Comment
from tests.annotations.conftest import NOW, form_data, post_url

RATE_LIMITED = "评论太频繁了,请稍后再试"


def assert_nothing_stored():
    assert Comment.objects.count() == 0


def test_csrf_token_is_required(note):
    """A POST without the CSRF token is refused (403) before anything else."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(post_url(note), form_data(note, name="甲"))
    assert response.status_code == 403
    assert_nothing_stored()


def test_form_carries_csrf_token_and_signed_timestamp(client, note):
    """The rendered form has the CSRF token, a timestamp and its security hash."""
    html = client.get(note.get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="timestamp"' in html
    assert 'name="security_hash"' in html


def test_honeypot_filled_is_refused(client, post, note):
    """A value in the hidden `website` field: 400 with a short refusal, nothing stored."""
    response = post(note, website="http://spam.example.com")
    assert response.status_code == 400
    assert "提交被拒绝。" in response.content.decode()
    assert 'class="comment-form"' not in response.content.decode()
    assert_nothing_stored()


def test_honeypot_is_hidden_by_css_not_inline_style(client, note):
    """The honeypot sits in a CSS-hidden wrapper, out of the tab order."""
    html = client.get(note.get_absolute_url()).content.decode()
    assert '<div class="comment-form__honeypot" aria-hidden="true">' in html
    assert 'name="website" tabindex="-1" autocomplete="off"' in html
    assert "style=" not in html


def test_posted_too_fast_is_refused(client, post, note):
    """A form sent less than COMMENTS_MIN_SECONDS after it was rendered: 400, text kept."""
    response = post(note, seconds_ago=0, body="机器人")
    assert response.status_code == 400
    html = response.content.decode()
    assert "提交得太快了,请稍等几秒再提交。" in html
    assert ">\n机器人</textarea>" in html
    assert_nothing_stored()


def test_form_too_old_is_refused_and_renewed(client, post, note):
    """A form older than COMMENTS_FORM_MAX_AGE: 400 with the form again, freshly signed."""
    response = post(note, seconds_ago=3 * 3600)
    assert response.status_code == 400
    html = response.content.decode()
    assert "这个表单打开太久,已经过期,请再提交一次。" in html
    assert f'name="timestamp" value="{int(NOW)}"' in html
    assert_nothing_stored()


def test_tampered_timestamp_is_an_opaque_400(client, note):
    """A timestamp changed after signing no longer matches its hash: 400, no form."""
    data = form_data(note, name="甲")
    data["timestamp"] = int(data["timestamp"]) - 100
    response = client.post(post_url(note), data)
    assert response.status_code == 400
    assert "表单无效。" in response.content.decode()
    assert_nothing_stored()


def test_form_signed_for_another_note_is_refused(client, note, make_note):
    """The hash covers the note: a form taken from one note cannot post to another."""
    other = make_note(slug="other")
    response = client.post(post_url(note), form_data(other, name="甲"))
    assert response.status_code == 400
    assert "表单无效。" in response.content.decode()
    assert_nothing_stored()


def test_missing_security_fields_are_refused(client, note):
    """A bare POST without timestamp and hash is refused."""
    response = client.post(post_url(note), {"body": "x", "name": "甲"})
    assert response.status_code == 400
    assert "表单无效。" in response.content.decode()
    assert_nothing_stored()


def test_refusal_as_json(client, post, note):
    """The JavaScript path gets the refusal as {"error": ...}."""
    response = post(note, website="spam", json=True)
    assert response.status_code == 400
    assert response.json() == {"error": "提交被拒绝。"}


def over_limit(post, note, count, **environ):
    """POST `count` distinct comments; the responses."""
    return [post(note, body=f"第 {i} 条", environ=environ) for i in range(count)]


def test_rate_limit_per_address(client, post, note, settings):
    """Over the per-address limit: 429 with a clear message and Retry-After, nothing stored."""
    settings.COMMENTS_RATE_LIMITS = [(2, 60), (30, 3600)]
    responses = over_limit(post, note, 3)
    assert [r.status_code for r in responses] == [302, 302, 429]
    refused = responses[-1]
    html = refused.content.decode()
    assert RATE_LIMITED in html
    assert "每分钟最多 2 条,每小时最多 30 条" in html
    assert refused["Retry-After"] == "60"
    assert list(Comment.objects.values_list("body", flat=True)) == ["第 0 条", "第 1 条"]


def test_rate_limit_per_account_across_addresses(reader_client, post, note, settings):
    """An account is limited even when each post comes from a different address."""
    settings.COMMENTS_RATE_LIMITS = [(2, 60)]
    statuses = [
        post(note, body=f"第 {i} 条", environ={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Comment.objects.count() == 2


def test_rate_limit_per_address_across_accounts(client, post, note, settings, django_user_model):
    """One address is limited even when it switches accounts."""
    settings.COMMENTS_RATE_LIMITS = [(2, 60)]
    statuses = []
    for i in range(3):
        client.force_login(django_user_model.objects.create_user(f"u{i}"))
        statuses.append(post(note, body=f"第 {i} 条").status_code)
    assert statuses == [302, 302, 429]
    assert Comment.objects.count() == 2


def test_other_addresses_are_not_limited(client, post, note, settings):
    """One address over its limit does not stop another."""
    settings.COMMENTS_RATE_LIMITS = [(1, 60)]
    over_limit(post, note, 2, REMOTE_ADDR="10.0.0.1")
    assert post(note, body="另一个人", environ={"REMOTE_ADDR": "10.0.0.2"}).status_code == 302


def test_hourly_limit_applies_too(client, post, note, settings):
    """The longer window refuses even while the per-minute counter is under its limit."""
    settings.COMMENTS_RATE_LIMITS = [(10, 60), (2, 3600)]
    assert [r.status_code for r in over_limit(post, note, 3)] == [302, 302, 429]


def test_rate_limit_as_json(client, post, note, settings):
    """The JavaScript path gets 429 with {"error": ...}."""
    settings.COMMENTS_RATE_LIMITS = [(1, 60)]
    post(note, body="一", json=True)
    response = post(note, body="二", json=True)
    assert response.status_code == 429
    assert response.json()["error"].startswith(RATE_LIMITED)
    assert Comment.objects.count() == 1


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, post, note, settings):
    """By default X-Forwarded-For is the client's word: the address stays REMOTE_ADDR."""
    settings.COMMENTS_MODERATE_ANONYMOUS = False
    post(note, environ={"HTTP_X_FORWARDED_FOR": "1.2.3.4", "REMOTE_ADDR": "10.0.0.9"})
    assert Comment.objects.get().ip == "10.0.0.9"


def test_forwarded_for_hop_of_a_trusted_proxy(client, post, note, settings):
    """Behind one trusted proxy the address is the hop that proxy appended (the last)."""
    settings.TRUSTED_PROXY_COUNT = 1
    environ = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7", "REMOTE_ADDR": "10.0.0.1"}
    post(note, environ=environ)
    assert Comment.objects.get().ip == "203.0.113.7"


def test_forged_forwarded_for_does_not_escape_the_limit(client, post, note, settings):
    """Behind a trusted proxy, changing the forged left part does not reset the counter."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.COMMENTS_RATE_LIMITS = [(1, 60)]
    statuses = [
        post(
            note, body=f"第 {i} 条", environ={"HTTP_X_FORWARDED_FOR": f"6.6.6.{i}, 203.0.113.7"}
        ).status_code
        for i in range(2)
    ]
    assert statuses == [302, 429]


def test_rate_limit_holds_in_redis(client, post, note, settings, redis_url):
    """With the Redis cache (as production uses) the counters limit posts the same way."""
    settings.COMMENTS_RATE_LIMITS = [(2, 60)]
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    assert [r.status_code for r in over_limit(post, note, 3)] == [302, 302, 429]
    assert Comment.objects.count() == 2
    assert cache.get(f"ratelimit:comments:ip:127.0.0.1:60:{int(NOW // 60)}") == 3
