{#
    The published shape of a KPI model: one row per team, period and KPI, with
    the columns fct_team_kpis_weekly and fct_team_kpis_by_period union
    (team_kpi_period_id, team_id, period_grain, period_start, kpi_id, value,
    sample_size, contributor_count). `relation` is a CTE with team_id,
    period_grain and period_start (aggregated from kpi_periods); each KPI of
    `kpis` is a dict

        {'kpi_id': 'first_reply_time_p50',      -- the id in seeds/kpi_catalog.csv
         'value': 'first_reply_p50_hours',       -- SQL, cast to float8
         'sample_size': 'ticket_count',          -- SQL, cast to bigint
         'contributor_count': 'owner_count',     -- SQL; default contributor_count
         'where': 'business_ticket_count > 0'}   -- optional: periods that have it

    so a model's last CTE reads `final as ({{ kpi_rows('measured', [...]) }})`.
#}
{% macro kpi_rows(relation, kpis) -%}
    select
        {{ stable_id('team_id', 'period_grain', 'period_start', 'kpi_id') }}
            as team_kpi_period_id,
        team_id,
        period_grain,
        period_start,
        kpi_id,
        value,
        sample_size,
        contributor_count
    from (
        {% for kpi in kpis %}
            select
                cast(team_id as varchar) as team_id,
                cast(period_grain as varchar) as period_grain,
                cast(period_start as date) as period_start,
                cast('{{ kpi.kpi_id }}' as varchar) as kpi_id,
                cast({{ kpi.value }} as float8) as value,
                cast({{ kpi.sample_size }} as bigint) as sample_size,
                cast({{ kpi.get('contributor_count', 'contributor_count') }} as bigint)
                    as contributor_count
            from {{ relation }} as measured_rows
            {% if kpi.get('where') %}where {{ kpi.where }}{% endif %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
    ) as kpi_rows
{%- endmacro %}
