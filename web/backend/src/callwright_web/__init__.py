"""`callwright web`: the browser page and its small backend (the backend proxy pattern).

The page (web/, bundled into web/dist by `make web-build`) talks only to this app; this
app calls the issuer with the API key it holds, so the key never reaches the browser.

    settings.py       WebSettings (CALLWRIGHT_WEB_*)
    providers.py      which provider keys a voice agent needs
    errors.py         the API's error shape, said for the person in front of the page
    access.py         who may use the page (Host allowlist, basic auth), per-client limits
    issuer_client.py  the issuer's API, called with the key this server holds
    app.py            the call page's routes, `create_app`, `serve`
    console.py        the operator console's routes
    timeline.py       the issuer's session-timeline shapes the console reads
"""
