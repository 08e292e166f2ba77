{#
    contributor_count of a KPI (docs/kpi-definitions.md#conventions-every-kpi): the
    distinct people, per team_id and week_start of `relation`, found in any of
    `person_columns` (e.g. a ticket's assignee and its first replier). Nulls
    (no roster person) are not counted. Renders a query for a CTE:

        contributor_counts as (
            {{ weekly_contributor_counts('replied', ['owner_person_id', 'replier_person_id']) }}
        ),
#}
{% macro weekly_contributor_counts(relation, person_columns) -%}
    select
        team_id,
        week_start,
        count(distinct person_id) as contributor_count
    from (
        {% for column in person_columns %}
            select
                team_id,
                week_start,
                {{ column }} as person_id
            from {{ relation }} as measured_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
    ) as contributors
    group by team_id, week_start
{%- endmacro %}
