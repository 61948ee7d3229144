from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve

from accounts.limits import limit_login_attempts
from papers.sitemaps import SITEMAPS

from . import views

handler500 = "notesite.views.unavailable_or_server_error"

admin.site.site_header = "notesite 管理"
admin.site.site_title = "notesite"

urlpatterns = [
    # Before admin.site.urls, so that its login page is rate-limited like the readers' one.
    path("admin/login/", limit_login_attempts(admin.site.login)),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    # Images the importer copied into media storage. Several app servers share MEDIA_ROOT (a
    # shared volume); a front proxy may serve it directly instead.
    re_path(r"^media/(?P<path>.+)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("accounts/", include("accounts.urls")),
    path("", include("annotations.urls")),
    path("", include("papers.urls")),
]
