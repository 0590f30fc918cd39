"""The mock's state in Redis, shared by every process pointed at one namespace (``--state redis://...``).

Each module mirrors the in-memory part of the same name one folder up:

    state       RedisState: builds the parts below, and keeps each process in step (``sync``)
    engine      the connection, the namespace's keys, its Lua scripts, and a lost engine as 503
    clock       the clock's offset
    clients     the clients created or deleted at run time
    scripted    the scripted answers and what each has left
    store       the refresh tokens, rotated exactly once by a Lua script, expiring with the token
    access      the access tokens, and the marks of grants a revoked refresh token ended
    windows     the limiter's windows, counted by a Lua script over every replica, expiring with the window
    journal     the last N requests, redacted before they leave the process

Imported only when the state is Redis (:func:`oauth2_token_contract.mock.backends.open_state`), so the
in-memory mock never loads redis-py.
"""
