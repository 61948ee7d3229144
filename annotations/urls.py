from django.urls import path

from . import api, views

app_name = "annotations"
urlpatterns = [
    path("notes/<str:slug>/comments/", views.post_comment, name="comment-post"),
    path("comments/<int:pk>/edit/", views.edit_comment, name="comment-edit"),
    path("comments/<int:pk>/delete/", views.delete_comment, name="comment-delete"),
    path("notes/<str:slug>/annotations/", api.annotation_list, name="annotation-list"),
    path(
        "notes/<str:slug>/annotations.jsonld",
        api.annotation_collection,
        name="annotation-collection",
    ),
    path("annotations/mine/", views.MyAnnotationsView.as_view(), name="mine"),
    path("annotations/mine/export.md", views.export_markdown, name="mine-markdown"),
    path("annotations/mine/export.jsonld", views.export_jsonld, name="mine-jsonld"),
    path("annotations/<int:pk>/", api.annotation_detail, name="annotation"),
    path("annotations/<int:pk>/replies/", api.reply_create, name="reply-create"),
    path("annotations/<int:pk>/flag/", api.annotation_flag, name="annotation-flag"),
    path("annotation-replies/<int:pk>/", api.reply_detail, name="reply"),
    path("annotation-replies/<int:pk>/flag/", api.reply_flag, name="reply-flag"),
]
