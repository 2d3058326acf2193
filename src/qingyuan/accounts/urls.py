from django.contrib.auth import views as auth_views
from django.urls import path

from . import otp, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("notifications/", views.notification_settings, name="notification_settings"),
    path("otp/setup/", otp.otp_setup, name="otp_setup"),
    path("otp/verify/", otp.otp_verify, name="otp_verify"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path(
        "users/changes/<int:pk>/approve/", views.change_decide, {"decision": "approve"}, name="change_approve"
    ),
    path("users/changes/<int:pk>/reject/", views.change_decide, {"decision": "reject"}, name="change_reject"),
]
