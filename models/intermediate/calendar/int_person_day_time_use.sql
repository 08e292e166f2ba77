{#
    Where a person's day went (docs/kpi-definitions.md, Focus and meeting
    hygiene): one row per person and local date of int_person_work_days.

      meeting_hours      the union of their meetings (overlaps merged, so
                         14:00-15:00 + 14:30-15:30 = 1.5 h), broadcasts apart
      broadcast_hours    the union of their broadcasts (> 25 people invited)
      after_hours_meeting_hours
                         meeting time outside the working window (all of it
                         on a day that is not a working day)
      focus_hours        free segments of at least 2 h
      fragmented_hours   free segments under 2 h
      short_free_segment_count
                         free segments under 1 h (fragmentation)

    Free segments are the working window minus everything busy (meetings,
    broadcasts and timed out-of-office blocks, merged). An event counts on
    the local date it starts. Person-level and never published as such: the
    team KPI model kpi_time_use and the person's own view read it.
#}
with work_days as (

    select * from {{ ref('int_person_work_days') }}

),

busy_intervals as (

    select * from {{ ref('int_person_busy_intervals') }}

),

day_busy as (

    select
        work_days.person_id,
        work_days.work_date,
        work_days.work_start_at,
        work_days.work_end_at,
        busy_intervals.person_busy_interval_id,
        busy_intervals.busy_kind,
        busy_intervals.start_at,
        busy_intervals.end_at
    from work_days
    inner join busy_intervals
        on work_days.person_id = busy_intervals.person_id
            and work_days.day_start_at <= busy_intervals.start_at
            and work_days.day_end_at > busy_intervals.start_at

),

{# Three layers of intervals to merge: meetings, broadcasts, and everything
    busy clipped to the working window (for the free segments). The interval's
    id breaks ties in the two windows below: with equal starts and ends in
    another order, an interval would join the wrong island. #}
layered as (

    select
        person_id,
        work_date,
        person_busy_interval_id,
        busy_kind as layer,
        start_at,
        end_at
    from day_busy
    where busy_kind in ('meeting', 'broadcast')

    union all

    select
        person_id,
        work_date,
        person_busy_interval_id,
        'busy_in_window' as layer,
        greatest(start_at, work_start_at) as start_at,
        least(end_at, work_end_at) as end_at
    from day_busy
    where work_start_at is not null and start_at < work_end_at and end_at > work_start_at

),

running as (

    select
        layered.*,
        max(layered.end_at) over (
            partition by layered.person_id, layered.work_date, layered.layer
            order by layered.start_at, layered.end_at, layered.person_busy_interval_id
            rows between unbounded preceding and 1 preceding
        ) as earlier_end_at
    from layered

),

numbered as (

    select
        running.*,
        sum(
            case
                when
                    running.earlier_end_at is null or running.start_at > running.earlier_end_at
                    then 1
                else 0
            end
        )
            over (
                partition by running.person_id, running.work_date, running.layer
                order by running.start_at, running.end_at, running.person_busy_interval_id
                rows between unbounded preceding and current row
            ) as island_number
    from running

),

islands as (

    select
        person_id,
        work_date,
        layer,
        island_number,
        min(start_at) as start_at,
        max(end_at) as end_at
    from numbered
    group by person_id, work_date, layer, island_number

),

merged_hours as (

    select
        islands.person_id,
        islands.work_date,
        sum(case when islands.layer = 'meeting'
                then {{ elapsed_hours('islands.start_at', 'islands.end_at') }}
            else 0
        end)
            as meeting_hours,
        sum(case when islands.layer = 'broadcast'
                then {{ elapsed_hours('islands.start_at', 'islands.end_at') }}
            else 0
        end)
            as broadcast_hours,
        sum(case
            when islands.layer <> 'meeting' then 0
            when work_days.work_start_at is null
                then {{ elapsed_hours('islands.start_at', 'islands.end_at') }}
            else {{ elapsed_hours('islands.start_at', 'islands.end_at') }}
                - greatest(0, {{ elapsed_hours(
                    'greatest(islands.start_at, work_days.work_start_at)',
                    'least(islands.end_at, work_days.work_end_at)'
                ) }})
        end) as after_hours_meeting_hours
    from islands
    inner join work_days
        on islands.person_id = work_days.person_id
            and islands.work_date = work_days.work_date
    group by islands.person_id, islands.work_date

),

{# The free segments: the gap before each busy island of the window, and
    the one after the last (the whole window on a day with none). #}
window_islands as (

    select
        islands.person_id,
        islands.work_date,
        islands.start_at,
        islands.end_at,
        coalesce(
            lag(islands.end_at) over (
                partition by islands.person_id, islands.work_date
                order by islands.start_at
            ),
            work_days.work_start_at
        ) as free_from_at
    from islands
    inner join work_days
        on islands.person_id = work_days.person_id
            and islands.work_date = work_days.work_date
    where islands.layer = 'busy_in_window'

),

free_segments as (

    select
        person_id,
        work_date,
        {{ elapsed_hours('free_from_at', 'start_at') }} as segment_hours
    from window_islands

    union all

    select
        work_days.person_id,
        work_days.work_date,
        {{ elapsed_hours(
            'coalesce(max(window_islands.end_at), work_days.work_start_at)',
            'work_days.work_end_at'
        ) }} as segment_hours
    from work_days
    left join window_islands
        on work_days.person_id = window_islands.person_id
            and work_days.work_date = window_islands.work_date
    where work_days.is_working_day
    group by
        work_days.person_id, work_days.work_date, work_days.work_start_at, work_days.work_end_at

),

free_hours as (

    select
        person_id,
        work_date,
        sum(case when segment_hours >= 2 then segment_hours else 0 end) as focus_hours,
        sum(case when segment_hours < 2 then segment_hours else 0 end) as fragmented_hours,
        count(case when segment_hours < 1 then 1 end) as short_free_segment_count
    from free_segments
    where segment_hours > 0
    group by person_id, work_date

),

final as (

    select
        work_days.person_work_day_id,
        work_days.person_id,
        work_days.team_id,
        work_days.work_date,
        work_days.is_working_day,
        cast(coalesce(
            {{ elapsed_hours('work_days.work_start_at', 'work_days.work_end_at') }}, 0
        ) as float8) as window_hours,
        cast(coalesce(merged_hours.meeting_hours, 0) as float8) as meeting_hours,
        cast(coalesce(merged_hours.broadcast_hours, 0) as float8) as broadcast_hours,
        cast(coalesce(merged_hours.after_hours_meeting_hours, 0) as float8)
            as after_hours_meeting_hours,
        cast(coalesce(free_hours.focus_hours, 0) as float8) as focus_hours,
        cast(coalesce(free_hours.fragmented_hours, 0) as float8) as fragmented_hours,
        cast(coalesce(free_hours.short_free_segment_count, 0) as bigint)
            as short_free_segment_count
    from work_days
    left join merged_hours
        on work_days.person_id = merged_hours.person_id
            and work_days.work_date = merged_hours.work_date
    left join free_hours
        on work_days.person_id = free_hours.person_id
            and work_days.work_date = free_hours.work_date

)

select * from final
