{#
    Where the time goes (flow, every function), from int_person_day_time_use:
    per team and period, the hours of a person's week on average, over the
    person-weeks measured (a person counts in a week when it holds at least
    one of their working days, on the team they were on that day):

      meeting_hours_per_person          meetings, overlaps merged
      focus_hours_per_person            free segments of at least 2 h
      fragmented_hours_per_person       free segments under 2 h
      short_free_segments_per_person    free segments under 1 h (a count)
      after_hours_meeting_hours_per_person
                                        meeting time outside the working window
      broadcast_hours_per_person        events of more than 25 people

    value = the period's total / its person-weeks, so a 4-week value weighs
    each person-week once; sample_size = person-weeks, contributor_count =
    distinct people (k >= 5 holds through fct_team_kpis_weekly). Team level
    only: never published per person.
#}
with time_use as (

    select * from {{ ref('int_person_day_time_use') }}

),

person_weeks as (

    select
        team_id,
        person_id,
        {{ week_start('work_date') }} as week_start,
        sum(meeting_hours) as meeting_hours,
        sum(focus_hours) as focus_hours,
        sum(fragmented_hours) as fragmented_hours,
        sum(short_free_segment_count) as short_free_segment_count,
        sum(after_hours_meeting_hours) as after_hours_meeting_hours,
        sum(broadcast_hours) as broadcast_hours
    from time_use
    where team_id is not null
    group by team_id, person_id, {{ week_start('work_date') }}
    having sum(case when is_working_day then 1 else 0 end) > 0

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(*) as person_week_count,
        count(distinct person_id) as person_count,
        sum(meeting_hours) / count(*) as meeting_hours,
        sum(focus_hours) / count(*) as focus_hours,
        sum(fragmented_hours) / count(*) as fragmented_hours,
        cast(sum(short_free_segment_count) as float8) / count(*) as short_free_segments,
        sum(after_hours_meeting_hours) / count(*) as after_hours_meeting_hours,
        sum(broadcast_hours) / count(*) as broadcast_hours
    from {{ kpi_periods('person_weeks') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'meeting_hours_per_person', 'value': 'meeting_hours',
         'sample_size': 'person_week_count', 'contributor_count': 'person_count'},
        {'kpi_id': 'focus_hours_per_person', 'value': 'focus_hours',
         'sample_size': 'person_week_count', 'contributor_count': 'person_count'},
        {'kpi_id': 'fragmented_hours_per_person', 'value': 'fragmented_hours',
         'sample_size': 'person_week_count', 'contributor_count': 'person_count'},
        {'kpi_id': 'short_free_segments_per_person', 'value': 'short_free_segments',
         'sample_size': 'person_week_count', 'contributor_count': 'person_count'},
        {'kpi_id': 'after_hours_meeting_hours_per_person', 'value': 'after_hours_meeting_hours',
         'sample_size': 'person_week_count', 'contributor_count': 'person_count'},
        {'kpi_id': 'broadcast_hours_per_person', 'value': 'broadcast_hours',
         'sample_size': 'person_week_count', 'contributor_count': 'person_count'},
    ]) }}

)

select * from final
