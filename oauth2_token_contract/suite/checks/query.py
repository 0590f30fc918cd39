"""Parameters in the URL query: never honoured, on any method (RFC 6749 sections 3.2 and 2.3.1).

The client MUST send its grant in a POST's body and MUST NOT put its credentials in the request URI,
so a server that reads them from the query (as frameworks that merge query and body do) hands tokens
to requests that leak secrets into logs. How the server refuses is left open: any client error
passes here, and whether its status is one the spec documents is ``status_is_documented``'s (and
``unsupported_method_refused``'s) to judge, once, not twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.registry import check, response_findings
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["in_query", "query_never_honoured"]


def in_query(params: Mapping[str, str]) -> str:
    """The token path with ``params`` in its URL query, form-encoded as a body would be (so a replay
    line finds a secret there as it does in a body, and names it by its variable)."""
    return f"{contract.load().token_path}?{urlencode(params)}"


@check(Check.QUERY_NEVER_HONOURED, every_answer=False)
def query_never_honoured(ctx: CheckContext, exchange: Exchange) -> None:
    """A request whose grant or credentials were only in the URL query gets no token: a client error.
    Shape findings (a status the spec lacks among them) go beside it, as for every scenario."""
    alongside = response_findings(ctx, exchange)
    method = exchange.request.method
    if 400 <= exchange.status < 500:
        ctx.alongside.add(alongside)
        return
    if exchange.status == 200:
        cause = f"a {method} with its parameters in the URL query was honoured (200)"
    else:
        cause = f"a {method} with its parameters in the URL query got {exchange.status}, not a refusal"
    names = ", ".join(name for name, _ in parse_qsl(urlsplit(exchange.request.url).query))
    message = f"{cause} (in the query: {names})"
    raise ContractViolation(Check.QUERY_NEVER_HONOURED, message, exchange, cause=cause, also=alongside)
