{#
    First reply time (flow, support): ticket created -> first public reply by
    an agent (case.first_reply, which already skips the opening comment of an
    agent-created ticket), in calendar hours. Week choice: the week of the
    FIRST REPLY, so a week's number is final once the week is over and a
    ticket still waiting does not hide (it shows up, with its full wait, in the
    week it is answered; first_reply_sla_compliance catches the ones never
    answered). Published as the interpolated median (first_reply_time_p50)
    and 85th percentile (first_reply_time_p85), and the same in business hours
    of the ticket's team (first_reply_business_time_p50 / _p85: the overlap
    with the team's working intervals, int_team_business_days; tickets whose
    moments fall outside the calendar are left out of those, and their
    sample_size counts only the tickets measured). contributor_count is the
    distinct roster people among the replying agents and the tickets'
    assignees.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'case'

),

work_events as (

    select * from {{ ref('fct_work_events') }}
    where event_type = 'case.first_reply'

),

team_schedules as (

    select * from {{ ref('int_team_schedules') }}

),

team_business_days as (

    select * from {{ ref('int_team_business_days') }}

),

first_replies as (

    select
        work_item_id,
        occurred_at,
        actor_person_id,
        row_number() over (
            partition by work_item_id
            order by occurred_at, event_id
        ) as reply_number
    from work_events

),

replied as (

    select
        work_items.team_id,
        work_items.work_item_id,
        work_items.owner_person_id,
        first_replies.actor_person_id as replier_person_id,
        {{ week_start('first_replies.occurred_at') }} as week_start,
        work_items.created_at,
        first_replies.occurred_at as replied_at,
        {{ elapsed_hours('work_items.created_at', 'first_replies.occurred_at') }}
            as first_reply_hours,
        {{ to_date(utc_to_local('work_items.created_at', 'team_schedules.time_zone')) }}
            as created_local_date,
        {{ to_date(utc_to_local('first_replies.occurred_at', 'team_schedules.time_zone')) }}
            as replied_local_date
    from work_items
    inner join first_replies
        on work_items.work_item_id = first_replies.work_item_id
            and first_replies.reply_number = 1
    left join team_schedules
        on work_items.team_id = team_schedules.team_id
    where
        work_items.team_id is not null
        and first_replies.occurred_at >= work_items.created_at

),

business_timed as (

    {{ business_hours_between(
        'replied', 'work_item_id', 'created_at', 'replied_at',
        'created_local_date', 'replied_local_date'
    ) }}

),

contributor_counts as (

    {{ period_contributor_counts('replied', ['owner_person_id', 'replier_person_id']) }}

),

aggregated as (

    select
        replied.team_id,
        replied.period_grain,
        replied.period_start,
        {{ percentile('replied.first_reply_hours', 0.5) }} as first_reply_p50_hours,
        {{ percentile('replied.first_reply_hours', 0.85) }} as first_reply_p85_hours,
        {{ percentile('business_timed.business_hours', 0.5) }}
            as first_reply_p50_business_hours,
        {{ percentile('business_timed.business_hours', 0.85) }}
            as first_reply_p85_business_hours,
        count(*) as ticket_count,
        count(business_timed.business_hours) as business_ticket_count
    from {{ kpi_periods('replied') }}
    left join business_timed
        on replied.work_item_id = business_timed.work_item_id
    group by replied.team_id, replied.period_grain, replied.period_start

),

measured as (

    select
        aggregated.*,
        coalesce(contributor_counts.contributor_count, 0) as contributor_count
    from aggregated
    left join contributor_counts
        on aggregated.team_id = contributor_counts.team_id
            and aggregated.period_grain = contributor_counts.period_grain
            and aggregated.period_start = contributor_counts.period_start

),

final as (

    {{ kpi_rows('measured', [
        {'kpi_id': 'first_reply_time_p50',
         'value': 'first_reply_p50_hours', 'sample_size': 'ticket_count'},
        {'kpi_id': 'first_reply_time_p85',
         'value': 'first_reply_p85_hours', 'sample_size': 'ticket_count'},
        {'kpi_id': 'first_reply_business_time_p50',
         'value': 'first_reply_p50_business_hours', 'sample_size': 'business_ticket_count',
         'where': 'business_ticket_count > 0'},
        {'kpi_id': 'first_reply_business_time_p85',
         'value': 'first_reply_p85_business_hours', 'sample_size': 'business_ticket_count',
         'where': 'business_ticket_count > 0'},
    ]) }}

)

select * from final
