{#
    Where the time goes, per team and week (the "where the time goes" page):
    the six calendar KPIs of kpi_time_use side by side, per person-week. All
    six share their people (the team's measured calendars that week), so they
    are published or suppressed together; a suppressed week shows none of
    them and leaves a gap in the chart.
#}
with team_kpis as (

    select * from {{ ref('fct_team_kpis_weekly') }}
    where kpi_id in (
            'meeting_hours_per_person',
            'focus_hours_per_person',
            'fragmented_hours_per_person',
            'short_free_segments_per_person',
            'after_hours_meeting_hours_per_person',
            'broadcast_hours_per_person'
        )

),

teams as (

    select * from {{ ref('dim_teams') }}

),

pivoted as (

    select
        team_id,
        week_start,
        max(contributor_count) as contributor_count,
        max(case when is_suppressed then 1 else 0 end) = 1 as is_suppressed,
        max(case when kpi_id = 'meeting_hours_per_person' then value end) as meeting_hours,
        max(case when kpi_id = 'focus_hours_per_person' then value end) as focus_hours,
        max(case when kpi_id = 'fragmented_hours_per_person' then value end)
            as fragmented_hours,
        max(case when kpi_id = 'short_free_segments_per_person' then value end)
            as short_free_segments,
        max(case when kpi_id = 'after_hours_meeting_hours_per_person' then value end)
            as after_hours_meeting_hours,
        max(case when kpi_id = 'broadcast_hours_per_person' then value end)
            as broadcast_hours
    from team_kpis
    group by team_id, week_start

),

final as (

    select
        pivoted.team_id,
        teams.team_name,
        teams.function_name,
        pivoted.week_start,
        cast(case when not pivoted.is_suppressed then pivoted.contributor_count end as bigint)
            as people_measured,
        pivoted.is_suppressed,
        {% for column in ['meeting_hours', 'focus_hours', 'fragmented_hours',
                          'short_free_segments', 'after_hours_meeting_hours',
                          'broadcast_hours'] %}
            cast(case when not pivoted.is_suppressed then pivoted.{{ column }} end as float8)
                as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from pivoted
    inner join teams
        on pivoted.team_id = teams.team_id

)

select * from final
