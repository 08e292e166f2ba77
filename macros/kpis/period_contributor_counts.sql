{#
    contributor_count of a KPI (docs/kpi-definitions.md#conventions-every-kpi): the
    distinct people, per team_id and period (kpi_periods) of `relation`, found
    in any of `person_columns` (e.g. a ticket's assignee and its first
    replier), counted once over the whole period. Nulls (no roster person)
    are not counted. Renders a query for a CTE:

        contributor_counts as (
            {{ period_contributor_counts('replied', ['owner_person_id', 'replier_person_id']) }}
        ),
#}
{% macro period_contributor_counts(relation, person_columns) -%}
    with contributor_rows as (
        {% for column in person_columns %}
            select
                team_id,
                week_start,
                {{ column }} as person_id
            from {{ relation }} as measured_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
    )

    select
        team_id,
        period_grain,
        period_start,
        count(distinct person_id) as contributor_count
    from {{ kpi_periods('contributor_rows') }}
    group by team_id, period_grain, period_start
{%- endmacro %}
