"""Answer the Cloud Billing Catalog API the way it pages: by pageToken, and only with an API key.

`skus/page-1.json` answers a request without a pageToken; its nextPageToken names page 2, and so on
(each recorded page's token is looked up among the pages). A request without the X-goog-api-key header
gets the API's 403, as the real API answers a call without a key.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from tests.loopback import FIXTURES

PAGES = FIXTURES / "gcp_billing" / "v1" / "services" / "6F81-5844-456A" / "skus"
JSON = {"Content-Type": "application/json"}
NO_KEY = {
    "error": {
        "code": 403,
        "message": "The request is missing a valid API key.",
        "status": "PERMISSION_DENIED",
    }
}


def _pages() -> list:
    return sorted(PAGES.glob("page-*.json"), key=lambda p: int(p.stem.split("-")[1]))


def gcp_billing_skus(seen):
    if not any(k.lower() == "x-goog-api-key" and v for k, v in seen.headers.items()):
        return 403, json.dumps(NO_KEY).encode(), JSON
    token = parse_qs(seen.query).get("pageToken", [""])[0]
    pages = _pages()
    if not token:
        return 200, pages[0].read_bytes(), JSON
    for page, following in zip(pages, pages[1:]):
        if json.loads(page.read_bytes()).get("nextPageToken") == token:
            return 200, following.read_bytes(), JSON
    return 400, b'{"error": {"code": 400, "message": "Invalid page token."}}', JSON
