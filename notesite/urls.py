from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "notesite 管理"
admin.site.site_title = "notesite"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("papers.urls")),
]
