from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from kenal.accounts import token_views

# Django's own handlers render templates/400.html, 403.html and 404.html; ours renders
# 500.html (see kenal.errors). Under /api/, kenal.api.middleware answers them in JSON.
handler500 = "kenal.errors.server_error"

admin.site.site_header = _("Kenal administration")
admin.site.site_title = _("Kenal administration")
admin.site.index_title = _("Data and users")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="parties:list", permanent=False)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("parties/", include("kenal.parties.urls")),
    path("", include("kenal.classification.urls")),
    path("", include("kenal.interactions.urls")),
    path("", include("kenal.agreements.urls")),
    path("", include("kenal.commerce.urls")),
    path("api/v1/", include("kenal.api.urls", namespace="api")),
    path("account/tokens/", token_views.token_list, name="account-tokens"),
    path("account/tokens/<int:pk>/revoke/", token_views.token_revoke_view, name="account-token-revoke"),
    path("account/", include("kenal.accounts.urls")),
]
