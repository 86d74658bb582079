"""One source registry: asset keys, URL settings, loopback fixtures and the README table all come from it."""

from assets.sources import PRICE_SOURCES, SOURCES
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
    keys = [key for s in SOURCES for key in s.base_urls]
    assert len(set(keys)) == len(keys)


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
    }


def test_the_readme_source_table_is_the_registry():
    readme = (project_dir() / "README.md").read_text(encoding="utf-8")
    assert render(readme) == readme, "README.md's generated sections are out of date: run `make docs`"


def test_a_misspelt_url_setting_is_named_with_the_nearest_one():
    problems = unknown_url_settings({"GPUCOST_URL_SKYPILOTT": "http://x", "GPUCOST_URL_AWS": "http://y"})
    assert problems == ["GPUCOST_URL_SKYPILOTT is not a source's URL setting (did you mean GPUCOST_URL_SKYPILOT?)"]
