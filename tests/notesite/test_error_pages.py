from django.test import RequestFactory
from django.views.defaults import server_error


def test_server_error_page_renders_in_site_style_without_a_database():
    """500.html renders with no request context or queries, in the site's layout."""
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in html
    assert 'class="site-header"' in html
    assert "/static/css/site.css" in html
