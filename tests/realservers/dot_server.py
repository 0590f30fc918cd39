"""django-oauth-toolkit's ``TokenView`` in a minimal Django project, as a real server to point the
contract suite at.

Why: the suite is written against the contract and the project's own mock; a real, widely used
server library (DOT on oauthlib) shows which of the suite's failures are true divergences of real
servers and which are the suite's false alarms (see FINDINGS.md).

What it configures, and nothing more:

* Django settings in-process: ``oauth2_provider`` with ``django.contrib.auth`` and ``contenttypes``,
  no middleware, SQLite in a temporary file (deleted at exit), migrations applied at start;
* ``OAUTH2_PROVIDER["SCOPES"]`` = ``/accounts.read`` and ``/accounts.write`` (``DEFAULT_SCOPES`` left
  at DOT's ``["__all__"]``: no scope asked means both); every other DOT setting at its default
  (``OAUTH2_BACKEND_CLASS`` ``OAuthLibCore``: form bodies only; ``ACCESS_TOKEN_EXPIRE_SECONDS``
  36000; ``PKCE_REQUIRED`` and the rest do not touch this grant);
* one ``Application``, the contract's example client: ``5clTR_MdVrrkgxw2`` with its secret (hashed by
  DOT on save, as by default), confidential, grant type client-credentials;
* ``TokenView`` routed at ``/oauth2/token`` (``tests/realservers/dot_urls.py``);
* ``OAUTHLIB_INSECURE_TRANSPORT=1``: plain http on loopback.

No refresh token for client_credentials, and no way to configure one: oauthlib's
``ClientCredentialsGrant`` hard-codes ``create_token(request, refresh_token=False)``, DOT sets
``request.user = None`` for that grant, and DOT's ``RefreshToken`` model needs a user (a custom
oauthlib ``Server`` asking for one fails with ``NOT NULL constraint failed:
oauth2_provider_refreshtoken.user_id``). The suite's refresh families skip, saying so.

Run: ``.venv/bin/python -m tests.realservers.dot_server --port 0``.
"""

from __future__ import annotations

import io
import os
import secrets
import tempfile
from pathlib import Path

from tests.realservers._serving import port_parser, serve

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "SCOPES", "configure", "main"]

CLIENT_ID = "5clTR_MdVrrkgxw2"
CLIENT_SECRET = "dNC-hg7sVm22jc3g_Eogtyu0_1Mqh_4-"
SCOPES = {"/accounts.read": "Read accounts", "/accounts.write": "Write accounts"}


def configure(database: Path) -> None:
    """Django settings, ``django.setup()``, migrations, and the example client as an Application."""
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "oauth2_provider"],
        MIDDLEWARE=[],
        ROOT_URLCONF="tests.realservers.dot_urls",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
        OAUTH2_PROVIDER={"SCOPES": dict(SCOPES)},
    )
    django.setup()
    from django.core.management import call_command
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
    application = get_application_model()
    application.objects.create(
        name="contract example client",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application.GRANT_CLIENT_CREDENTIALS,
        redirect_uris="",
    )


def main(argv: list[str] | None = None) -> None:
    parser = port_parser("django-oauth-toolkit's TokenView with the contract's example client.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dot-server-") as tmp:
        configure(Path(tmp) / "db.sqlite3")
        from django.core.wsgi import get_wsgi_application

        serve(get_wsgi_application(), args.port, shims=args.shim)


if __name__ == "__main__":
    main()
