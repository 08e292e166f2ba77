{#
    Recurring meeting cost (docs/kpi-definitions.md#fct_recurring_meeting_series):
    one row per recurring series with at least k distinct invitees, so no
    series of a few people (a recurring 1:1) is ever published. Titles and
    descriptions are never stored: `has_agenda` is the only trace of them.

    The series belongs to the team its organizer was on at its latest
    instance (int_people_team_history), not today's team: a series that ended
    before its organizer moved stays with the old team, and one that goes on
    after the move is the new team's.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

calendar_events as (

    select * from {{ consented(
        ref('stg_calendar__events'),
        'organizer_person_id',
        source_system='calendar',
        opted_out='accounts_opted_out'
    ) }}

),

event_attendees as (

    select * from {{ consented(
        ref('stg_calendar__event_attendees'),
        'attendee_person_id',
        source_system='calendar',
        opted_out='accounts_opted_out'
    ) }}

),

team_spells as (

    select * from {{ ref('int_people_team_history') }}

),

instances as (

    select
        calendar_event_id,
        recurring_series_id,
        organizer_person_id,
        start_at,
        has_agenda,
        {{ elapsed_hours('start_at', 'end_at') }} as duration_hours
    from calendar_events
    where
        recurring_series_id is not null
        and event_status <> 'cancelled'
        and not is_all_day
        and start_at is not null
        and end_at is not null
        and start_at <= {{ utc_now() }}

),

invitations as (

    select
        instances.recurring_series_id,
        instances.calendar_event_id,
        instances.duration_hours,
        event_attendees.attendee_person_id,
        event_attendees.response_status,
        event_attendees.is_organizer
    from instances
    inner join event_attendees
        on instances.calendar_event_id = event_attendees.calendar_event_id
    where not event_attendees.is_resource

),

responses as (

    select
        recurring_series_id,
        count(distinct attendee_person_id) as distinct_invitees,
        count(*) filter (where not is_organizer) as invitee_responses,
        count(*) filter (where not is_organizer and response_status = 'declined')
            as declined_responses,
        sum(case when response_status <> 'declined' then duration_hours else 0 end)
            as attendee_hours
    from invitations
    group by recurring_series_id

),

series as (

    select
        recurring_series_id,
        min(organizer_person_id) as organizer_person_id,
        count(*) as instances_held,
        min(start_at) as first_held_at,
        max(start_at) as last_held_at,
        {{ percentile('duration_hours', 0.5) }} as median_duration_hours,
        avg(case when has_agenda then 1.0 else 0.0 end) as agenda_share
    from instances
    group by recurring_series_id

),

final as (

    select
        series.recurring_series_id,
        team_spells.team_id as organizer_team_id,
        series.instances_held,
        series.first_held_at,
        series.last_held_at,
        responses.distinct_invitees,
        series.median_duration_hours,
        cast(responses.declined_responses as float8)
        / nullif(responses.invitee_responses, 0) as decline_rate,
        {# Attendee-hours per week the series ran, first to last instance. #}
        responses.attendee_hours
        / greatest(
            1.0,
            {{ elapsed_hours('series.first_held_at', 'series.last_held_at') }} / 168.0
            + 1.0
        ) as attendee_hours_per_week,
        series.agenda_share = 0 as has_no_agenda,
        responses.distinct_invitees > 25 as is_broadcast,
        responses.distinct_invitees >= 15 and series.median_duration_hours >= 1
            as is_large_and_long,
        coalesce(
            cast(responses.declined_responses as float8)
            / nullif(responses.invitee_responses, 0) >= 0.3,
            false
        ) as is_often_declined
    from series
    inner join responses
        on series.recurring_series_id = responses.recurring_series_id
    left join team_spells
        on series.organizer_person_id = team_spells.person_id
            and {{ during_spell('team_spells', 'series.last_held_at') }}
    where responses.distinct_invitees >= {{ var('min_group_size') }}

)

select
    recurring_series_id,
    organizer_team_id,
    instances_held,
    first_held_at,
    last_held_at,
    distinct_invitees,
    median_duration_hours,
    decline_rate,
    attendee_hours_per_week,
    has_no_agenda,
    is_broadcast,
    is_often_declined,
    is_large_and_long or is_often_declined or has_no_agenda as is_review_candidate,
    case
        when is_often_declined and is_large_and_long
            then 'fewer invitees: make it optional or send an async update'
        when is_often_declined then 'async update instead of a meeting'
        when is_large_and_long then 'shorter slot with fewer invitees'
        when has_no_agenda then 'add an agenda or replace with an async update'
    end as proposed_alternative
from final
