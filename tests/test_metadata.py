"""What the Assets page shows is typed and readable: no Python None in any text, every mart column described."""

import re

import dagster as dg


def materializations(home):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for key in instance.get_asset_keys():
            event = instance.get_latest_materialization_event(key)
            if event is not None and event.asset_materialization is not None:
                yield key.to_user_string(), event.asset_materialization.metadata


def test_no_metadata_text_says_none_and_every_mart_column_is_described(offline_warehouse):
    seen = dict(materializations(offline_warehouse.parent / "home"))
    assert {"marts/training_costs", "marts/inference_costs", "core/gpu_prices"} <= set(seen)
    for asset, metadata in seen.items():
        for name, value in metadata.items():
            if isinstance(value, dg.TableSchemaMetadataValue):
                if asset.startswith("marts/"):
                    undescribed = [c.name for c in value.schema.columns if not c.description]
                    assert not undescribed, f"{asset}: columns without a description: {undescribed}"
                continue
            text = value.value if isinstance(value.value, str) else None
            if text is not None:
                assert not re.search(r"\bNone\b|\bnan\b", text), f"{asset} {name}: {text[:200]}"
    training = seen["marts/training_costs"]
    assert training["gpt3_cheapest_training"].value.startswith("$")
    assert isinstance(training["gpt3_cheapest_training_usd"], dg.FloatMetadataValue)
