{#
    The forecast's settings (docs/forecasts.md#settings), one place for their
    defaults: each may be overridden with --vars, e.g.
    `--vars '{forecast_trials: 2000}'`.
#}
{% macro forecast_setting(name) -%}
    {%- set defaults = {
        'forecast_seed': 20261202,
        'forecast_trials': 10000,
        'forecast_horizon_days': 182,
        'forecast_history_weeks': 12,
        'forecast_work_item_types': ['task'],
        'forecast_backtest_trials': 1000,
        'forecast_backtest_days': 28,
        'forecast_backtest_min_forecasts': 8,
        'forecast_calibration_poor_below': 0.7,
        'forecast_at_risk_miss_probability': 0.15,
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("unknown forecast setting " ~ name) }}
    {%- endif -%}
    {{ return(var(name, defaults[name])) }}
{%- endmacro %}

{# The work item types the forecast counts, as a SQL list: ('task'). #}
{% macro forecast_work_item_types_sql() -%}
    {%- set types = forecast_setting('forecast_work_item_types') -%}
    {%- if types is string -%}{%- set types = [types] -%}{%- endif -%}
    ({% for t in types %}'{{ t }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
