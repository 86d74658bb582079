"""When derived assets recompute: when, and only when, an input's data version changes.

`eager()` would also fire on a re-ingest that produced identical rows (a new
materialization with the same data version). This condition looks at data
versions instead, so a daily fetch with unchanged prices triggers nothing
downstream, while one changed price recomputes exactly the assets that use it.
"""

import dagster as dg

AC = dg.AutomationCondition
RESTAMP_LABEL = "re-stamp after every re-ingest"


def inputs_settled() -> dg.AutomationCondition:
    """No input is still planned in a run, nor its checks: wait for the ingest run to finish, not just its step.

    A dep materialized by a run stops counting as in progress at once, while the same run still checks it
    (the source checks step comes last): without the check term, a core table could start mid-ingest.
    """
    in_flight = AC.any_deps_match(AC.in_progress() | AC.any_checks_match(AC.in_progress()))
    return (~in_flight).with_label("no input still being ingested or checked")


def on_input_change() -> dg.AutomationCondition:
    input_changed = AC.any_deps_match(AC.data_version_changed()).with_label("an input's data version changed")
    return (
        AC.in_latest_time_window()
        & (AC.newly_missing() | input_changed).since_last_handled()
        & ~AC.any_deps_missing()
        & inputs_settled()
        & ~AC.in_progress()
    ).with_label("recompute when an input changes")


def on_any_input_update() -> dg.AutomationCondition:
    """For core tables that keep a row per source per day: run after every re-ingest, changed or not.

    Re-stamping the day keeps the daily history whole; their own data version leaves the
    snapshot date out, so what reads them (the cost marts, on_input_change) still
    recomputes only when a price or tariff really changed.
    """
    return (AC.eager() & inputs_settled()).with_label(RESTAMP_LABEL)
