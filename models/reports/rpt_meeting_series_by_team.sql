{#
    Recurring meeting series per organising team: how many, how many worth
    reviewing, and their attendee-hours per week (rounded to 0.1 h).
#}
with meeting_series as (

    select * from {{ ref('fct_recurring_meeting_series') }}

),

final as (

    select
        organizer_team_id as team_id,
        count(*) as series_count,
        count(case when is_review_candidate then 1 end) as review_candidates,
        count(case when is_often_declined then 1 end) as often_declined,
        count(case when has_no_agenda then 1 end) as without_agenda,
        {{ round_float('sum(attendee_hours_per_week)', 1) }} as attendee_hours_per_week
    from meeting_series
    where organizer_team_id is not null
    group by organizer_team_id

)

select * from final
