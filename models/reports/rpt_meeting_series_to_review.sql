{#
    The recurring meeting series worth reviewing, per organiser's team (the
    "where the time goes" page): why (large and long, often declined, no
    agenda, a broadcast) and what fct_recurring_meeting_series proposes
    instead. Titles are never stored, so a series is told apart by its
    shape (cadence of instances, size, length) and a short reference.
#}
with meeting_series as (

    select * from {{ ref('fct_recurring_meeting_series') }}
    where is_review_candidate and organizer_team_id is not null

),

teams as (

    select * from {{ ref('dim_teams') }}

),

final as (

    select
        meeting_series.recurring_series_id,
        meeting_series.organizer_team_id as team_id,
        teams.team_name,
        cast(substr(meeting_series.recurring_series_id, 1, 8) as varchar) as series_ref,
        meeting_series.instances_held,
        meeting_series.distinct_invitees,
        meeting_series.median_duration_hours,
        meeting_series.decline_rate,
        meeting_series.attendee_hours_per_week,
        cast(trim(
            case
                when meeting_series.distinct_invitees >= 15
                    and meeting_series.median_duration_hours >= 1
                    then 'large and long; '
                else ''
            end
            || case when meeting_series.is_often_declined then 'often declined; ' else '' end
            || case when meeting_series.has_no_agenda then 'no agenda; ' else '' end
            || case when meeting_series.is_broadcast then 'a broadcast; ' else '' end
        ) as varchar) as review_reasons,
        meeting_series.proposed_alternative
    from meeting_series
    inner join teams
        on meeting_series.organizer_team_id = teams.team_id

)

select * from final
