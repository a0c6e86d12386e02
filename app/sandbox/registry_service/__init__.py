"""The reference data-sharing service (`deskhand registry serve`), for the demo and tests.

    data.py        records_for(seed): what every endpoint answers for a generated person
    store.py       those records in SQLite
    auth.py        HMAC (SHA-256 / SM3) signatures, bearer token, API key; nonce memory
    faults.py      delays, 5xx, garbage, wrong schema, switched on for tests
    requestlog.py  one masked log line per request
    web.py         create_app(config): the Starlette app
    server.py      serve(config, out, err): uvicorn on a socket bound here
    cli.py         the command line

Imported lazily: nothing here loads starlette or uvicorn until a server is built.
See docs/registry-service.md.
"""
