"""Three sandbox data-sharing gateways, shaped like real ones and unlike each other, for
proving the registry client against interfaces it was not written for
(`deskhand registry serve --profile prov|city|ministry`, docs/registry-service.md).

    profiles.py     the profiles by name, their endpoints and fault grammar (no web server)
    facts.py        truth(seed) as the sources show it; facts_for(seed) as the registries hold it
    differences.py  deliberate_differences(profile): where a gateway disagrees on purpose
    codes.py        GB/T 2261.1, GB/T 3304, GB/T 2261.2 and the city's own code lists
    base.py         request, refusals, clock and nonce checks, the people a gateway holds
    prov.py         省级共享平台: POST JSON, X-Ca-* headers, base64 HMAC-SHA256, code "0000"
    city.py         市大数据局: GET, signature in the URL (upper-case MD5 with &secret=), status 200
    ministry.py     部委/国家平台: POST JSON, x-gw-* headers, hex HMAC-SM3, errcode + HTTP status
    gateway.py      create_gateway_app(profile, config): handling order, faults, dropped connections
    server.py       serve_gateway(config, out, err); write_gateway_settings(...)
    settings/       the Deskhand registry settings for each, written from docs/registries.md

Each gateway verifies its own signature independently of app/registry (two
implementations of one description is the point of the test).
"""
