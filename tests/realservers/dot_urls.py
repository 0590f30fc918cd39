"""The URLconf of the django-oauth-toolkit server (``dot_server``): DOT's ``TokenView`` at
``/oauth2/token``, the contract's path, and nothing else. Imported by Django once it is configured."""

from __future__ import annotations

from django.urls import path
from oauth2_provider.views import TokenView

urlpatterns = [path("oauth2/token", TokenView.as_view(), name="token")]
