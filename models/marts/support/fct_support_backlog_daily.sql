{#
    Daily help desk backlog snapshot, published (docs/kpi-definitions.md,
    fct_support_backlog_daily): int_support_backlog_daily with the
    small-group rule. A team-day with fewer than var('min_group_size')
    distinct assignees behind its backlog is suppressed (counts and ages
    null, is_suppressed true).
#}
{%- set min_group_size = kpi_min_group_size() %}

with backlog_daily as (

    select * from {{ ref('int_support_backlog_daily') }}

),

final as (

    select
        cast(team_day_id as varchar) as team_day_id,
        cast(team_id as varchar) as team_id,
        cast(snapshot_date as date) as snapshot_date,
        {% for column in ['backlog_count', 'aged_over_7_days_count'] %}
            cast(
                case when contributor_count >= {{ min_group_size }} then {{ column }} end
                as bigint
            ) as {{ column }},
        {% endfor %}
        {% for column in ['backlog_age_p50_hours', 'backlog_age_p85_hours'] %}
            cast(
                case when contributor_count >= {{ min_group_size }} then {{ column }} end
                as float8
            ) as {{ column }},
        {% endfor %}
        cast(contributor_count as bigint) as contributor_count,
        cast(contributor_count < {{ min_group_size }} as boolean) as is_suppressed
    from backlog_daily

)

select * from final
