from django.urls import path

from . import views

app_name = "guidance"
urlpatterns = [
    path("", views.page_list, name="list"),
    path("new/", views.page_create, name="create"),
    path("<int:pk>/", views.page_detail, name="detail"),
    path("<int:pk>/edit/", views.page_edit, name="edit"),
    path("<int:pk>/preview/", views.page_preview, name="preview"),
    path("<int:pk>/publish/", views.page_publish, name="publish"),
    path("<int:pk>/unpublish/", views.page_unpublish, name="unpublish"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
]
