{#
    Nudge rule meeting_review (docs/nudges.md): a recurring meeting series that
    fct_recurring_meeting_series marks worth reviewing (often declined, no
    agenda, or a broadcast), to the organiser's team, with the proposed
    alternative as the reason. Only series with at least k invitees are
    published there, so no small meeting (a 1:1) is ever named; the organiser
    is never named either (no owner nudge). Titles are never stored: the
    subject is the series id.
#}
with meeting_series as (

    select * from {{ ref('fct_recurring_meeting_series') }}
    where is_review_candidate

),

team_rules as (

    select * from {{ ref('nudge_base_team_rules') }}
    where rule_id = 'meeting_review' and is_enabled

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}
    where source_system = 'calendar'

),

flagged as (

    select
        team_rules.rule_id,
        meeting_series.organizer_team_id as team_id,
        cast(null as varchar) as owner_person_id,
        'meeting_series' as subject_type,
        meeting_series.recurring_series_id as subject_id,
        'calendar' as source_system,
        meeting_series.recurring_series_id as subject_ref,
        'meeting_worth_reviewing' as reason_code,
        'recurring meeting worth reviewing: '
        || coalesce(meeting_series.proposed_alternative, 'review whether it is needed')
            as reason,
        team_rules.severity,
        meeting_series.attendee_hours_per_week as wait_hours,
        team_rules.threshold,
        'attendee hours per week' as threshold_unit,
        meeting_series.last_held_at as first_seen_at,
        data_as_of.as_of_at,
        false as notify_owner,
        team_rules.repeat_after_hours,
        team_rules.stop_after_hours
    from meeting_series
    inner join team_rules
        on meeting_series.organizer_team_id = team_rules.team_id
    cross join data_as_of

),

final as (

    {{ nudge_candidate_rows('flagged') }}

)

select * from final
