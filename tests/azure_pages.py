"""Serve the recorded Azure Retail Prices pages the way the API pages them: by region ($filter) and $skip.

One URL path answers every region and page, so a file per path cannot do; the
pages' NextPageLink (recorded with the real host) is pointed at the loopback server.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from tests.loopback import FIXTURES

PAGES = FIXTURES / "azure" / "pages"
LIVE_PREFIX = b"https://prices.azure.com:443"


def page_file(query: str):
    params = parse_qs(query)
    region = re.search(r"armRegionName eq '([^']+)'", params.get("$filter", [""])[0])
    return PAGES / f"{region.group(1) if region else 'none'}-{params.get('$skip', ['0'])[0]}.json"


def azure_pages(seen):
    """Answer a Retail Prices request with the recorded page for its region and $skip."""
    file = page_file(seen.query)
    if not file.is_file():
        return 404, b'{"Error": {"Code": "NotFound"}}', {"Content-Type": "application/json"}
    here = f"http://{seen.headers['Host']}/azure".encode()
    return 200, file.read_bytes().replace(LIVE_PREFIX, here), {"Content-Type": "application/json"}
