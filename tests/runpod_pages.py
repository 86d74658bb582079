"""Answer RunPod's GraphQL endpoint the way the API answers it: by the query and its lowestPrice input.

One URL path takes every query, so a file per path cannot do. The discovery query gets
`graphql/discovery.json`; a price query gets `graphql/<cloud>_<location>_<count>.json` for its
input (assets.prices.runpod.payload_key), and, where no answer was recorded, the API's answer for a
combination without stock: every GPU type with an all-null lowestPrice (`graphql/_out_of_stock.json`).
"""

from __future__ import annotations

import json

from tests.loopback import FIXTURES

ANSWERS = FIXTURES / "runpod_api" / "graphql"
JSON = {"Content-Type": "application/json"}


def answer_file(body: bytes):
    """The recorded answer for a request body, or None for a body that is not a RunPod query."""
    from assets.prices.runpod import payload_key

    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return None
    query = request.get("query") or ""
    if "dataCenters" in query:
        return ANSWERS / "discovery.json"
    lowest = ((request.get("variables") or {}).get("lowestPriceInput")) or {}
    if "lowestPrice" not in query or "gpuCount" not in lowest:
        return None
    cloud = "secure" if lowest.get("secureCloud") else "community"
    location = lowest.get("dataCenterId") if cloud == "secure" else lowest.get("countryCode")
    recorded = ANSWERS / f"{payload_key(cloud, location, lowest['gpuCount'])}.json"
    return recorded if recorded.is_file() else ANSWERS / "_out_of_stock.json"


def runpod_graphql(seen):
    file = answer_file(seen.body)
    if file is None:
        return 400, b'{"errors": [{"message": "Must provide query string."}]}', JSON
    return 200, file.read_bytes(), JSON
