from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from accounts import views

app_name = "accounts"

# Django's own views for the flows it has (no allauth: nothing here Django lacks), with our templates.
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),  # POST only (Django 5+)
    path("password/change/", auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password-change-done")),
        name="password-change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="accounts/password_change_done.html"), name="password-change-done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html", email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password-reset-done")), name="password-reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password-reset-complete")), name="password-reset-confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password-reset-complete"),
    path("profile/", views.profile, name="profile"),
    path("profile/theme/", views.theme, name="theme"),
    path("follow/<str:kind>/<int:pk>/", views.follow, name="follow"),
    path("unfollow/<str:kind>/<int:pk>/", views.unfollow, name="unfollow"),
    path("keys/", include("accounts.key_urls")),  # API keys: accounts:keys, key-create, key-created, key-revoke
]
