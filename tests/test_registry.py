"""One source registry: asset keys, URL settings, loopback fixtures and the README table all come from it."""

from assets.sources import PRICE_SOURCES, SOURCES, base_urls
from pipeline.definitions import defs
from pipeline.docs import render
from pipeline.environment import unknown_url_settings
from pipeline.home import project_dir
from tests.conftest import FIXTURES, LOOPBACK_PATHS


def test_every_source_has_its_raw_asset():
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"raw/{s.table}" for s in SOURCES} <= keys


def test_names_tables_and_url_keys_are_unique():
    assert len({s.name for s in SOURCES}) == len(SOURCES)
    assert len({s.table for s in SOURCES}) == len(SOURCES)
    # a base-URL key names one URL; sources of one catalog (the SkyPilot clouds, the gpuhunt providers) share it,
    # so one setting (GPUCOST_URL_SKYPILOT) moves them all
    urls = base_urls()
    assert all(url == urls[key] for s in SOURCES for key, url in s.base_urls.items())
    shared = {key for key in urls if sum(key in s.base_urls for s in SOURCES) > 1}
    assert shared == {"skypilot", "skypilot_mirror", "gpuhunt"}


def test_every_base_url_has_recorded_responses_where_the_registry_says():
    for key, path in LOOPBACK_PATHS.items():
        assert (FIXTURES / path.lstrip("/")).is_dir() or key == "azure", (key, path)  # azure: a responder pages it


def test_first_party_sources_name_their_provider():
    assert {s.first_party_for for s in PRICE_SOURCES if s.first_party_for} == {
        "aws",
        "azure",
        "gcp",
        "lambda",
        "runpod",
        "vast",
        "vultr",
        "cloudrift",
        "oci",
        "scaleway",
    }


def test_a_source_that_needs_a_key_says_so_and_is_skipped_without_it():
    keyed = {s.name: s for s in SOURCES if s.key_env}
    assert set(keyed) == {"gcp_billing"}
    source = keyed["gcp_billing"]
    assert source.skip_reason({}) == (
        "gcp_billing: skipped: GPUCOST_GCP_API_KEY is not set (this source needs an API key; see README)"
    )
    assert source.skip_reason({"GPUCOST_GCP_API_KEY": "k"}) is None
    assert all(s.skip_reason({}) is None for s in SOURCES if not s.key_env)


def test_every_price_source_names_the_providers_it_prices():
    assert all(s.providers for s in PRICE_SOURCES), [s.name for s in PRICE_SOURCES if not s.providers]


def test_the_readme_source_table_is_the_registry():
    readme = (project_dir() / "README.md").read_text(encoding="utf-8")
    assert render(readme) == readme, "README.md's generated sections are out of date: run `make docs`"


def test_a_misspelt_url_setting_is_named_with_the_nearest_one():
    problems = unknown_url_settings({"GPUCOST_URL_SKYPILOTT": "http://x", "GPUCOST_URL_AWS": "http://y"})
    assert problems == ["GPUCOST_URL_SKYPILOTT is not a source's URL setting (did you mean GPUCOST_URL_SKYPILOT?)"]
