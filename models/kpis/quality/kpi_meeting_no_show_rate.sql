{#
    Meeting no-show rate (quality, sales): sales meetings whose outcome is a
    no-show / sales meetings held or no-show, in the week the meeting was
    scheduled to start (docs/kpi-definitions.md), for the team of the meeting's
    owner. Cancelled, rescheduled and still scheduled meetings have no outcome
    event and are left out (a cancellation is not a no-show). contributor_count
    is the distinct meeting owners.
#}
with work_events as (

    select * from {{ ref('fct_work_events') }}
    where event_type in ('sales_meeting.held', 'sales_meeting.no_show')

),

meetings as (

    select
        team_id,
        {{ week_start('occurred_at') }} as week_start,
        actor_person_id,
        event_type = 'sales_meeting.no_show' as is_no_show
    from work_events
    where team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when is_no_show then 1 end) as no_show_count,
        count(*) as meeting_count,
        count(distinct actor_person_id) as owner_count
    from {{ kpi_periods('meetings') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'meeting_no_show_rate',
         'value': 'cast(no_show_count as float8) / meeting_count',
         'sample_size': 'meeting_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
