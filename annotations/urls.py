from django.urls import path

from . import views

app_name = "annotations"
urlpatterns = [
    path("notes/<str:slug>/comments/", views.post_comment, name="comment-post"),
    path("comments/<int:pk>/edit/", views.edit_comment, name="comment-edit"),
    path("comments/<int:pk>/delete/", views.delete_comment, name="comment-delete"),
]
