-- Headline figures over time, and what changed each one.
CREATE TABLE marts.headline_history (
    figure            VARCHAR   NOT NULL,
    value             DOUBLE    NOT NULL,
    unit              VARCHAR   NOT NULL,
    price_input       VARCHAR,
    tariff_input      VARCHAR,
    assumptions_input VARCHAR,
    computed_at       TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.headline_history IS 'Every state each headline figure has had: a row is added when a figure''s value or one of its inputs (price row, tariff, assumptions, as text) changes, stamped with when it was computed. The history behind marts.cost_changes.';

CREATE TABLE marts.cost_changes (
    figure                     VARCHAR   NOT NULL,
    value                      DOUBLE    NOT NULL,
    unit                       VARCHAR   NOT NULL,
    previous_value             DOUBLE,
    change                     DOUBLE,
    change_pct                 DOUBLE,
    changed_inputs             VARCHAR   NOT NULL,
    price_input                VARCHAR,
    tariff_input               VARCHAR,
    assumptions_input          VARCHAR,
    previous_price_input       VARCHAR,
    previous_tariff_input      VARCHAR,
    previous_assumptions_input VARCHAR,
    previous_unit              VARCHAR,
    computed_at                TIMESTAMP NOT NULL,
    previous_computed_at       TIMESTAMP
);
COMMENT ON TABLE marts.cost_changes IS 'Each headline figure (training costs by model and GPU, cheapest GPU-hours, seed scenarios today): its current value, its previous different value, and which input changed it (price: which row and $; tariff; assumptions), in words. computed_at = when the current value first appeared.';
