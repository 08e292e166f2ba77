{#
    Every nudge the rules want to send now (docs/nudges.md): the union of the
    rule models (models/nudges/nudge_rule_*), each with its recipient's time
    zone and working schedule, which outcomes/nudges/ uses for quiet hours and
    non-working days: a team channel gets the team's schedule
    (int_team_schedules), a person their own (dim_people). Person ids are
    pseudonyms; nothing here names anyone. Whether a nudge is sent, held,
    capped or deduplicated is decided at delivery (outcomes nudges preview).
#}
{%- set rules = [
    'nudge_rule_pr_review_wait',
    'nudge_rule_ticket_sla_risk',
    'nudge_rule_wip_aging',
    'nudge_rule_queue_over_capacity',
    'nudge_rule_lead_untouched',
    'nudge_rule_meeting_review',
    'nudge_rule_due_date_risk',
] %}

with nudge_rule_pr_review_wait as (

    select * from {{ ref('nudge_rule_pr_review_wait') }}

),

nudge_rule_ticket_sla_risk as (

    select * from {{ ref('nudge_rule_ticket_sla_risk') }}

),

nudge_rule_wip_aging as (

    select * from {{ ref('nudge_rule_wip_aging') }}

),

nudge_rule_queue_over_capacity as (

    select * from {{ ref('nudge_rule_queue_over_capacity') }}

),

nudge_rule_lead_untouched as (

    select * from {{ ref('nudge_rule_lead_untouched') }}

),

nudge_rule_meeting_review as (

    select * from {{ ref('nudge_rule_meeting_review') }}

),

nudge_rule_due_date_risk as (

    select * from {{ ref('nudge_rule_due_date_risk') }}

),

team_schedules as (

    select * from {{ ref('int_team_schedules') }}

),

people as (

    select * from {{ ref('dim_people') }}

),

unioned as (

    {% for rule in rules %}
        select * from {{ rule }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        unioned.nudge_candidate_id,
        unioned.rule_id,
        unioned.recipient_type,
        unioned.recipient_team_id,
        unioned.recipient_person_id,
        unioned.subject_type,
        unioned.subject_id,
        unioned.source_system,
        unioned.subject_ref,
        unioned.reason_code,
        unioned.reason,
        unioned.severity,
        unioned.wait_hours,
        unioned.threshold,
        unioned.threshold_unit,
        unioned.first_seen_at,
        unioned.as_of_at,
        unioned.repeat_after_hours,
        coalesce(
            case when unioned.recipient_type = 'person' then people.time_zone end,
            team_schedules.time_zone,
            'UTC'
        ) as recipient_time_zone,
        coalesce(
            case when unioned.recipient_type = 'person' then people.work_days end,
            team_schedules.work_days,
            'Mon|Tue|Wed|Thu|Fri'
        ) as recipient_work_days,
        coalesce(
            case when unioned.recipient_type = 'person' then people.work_start_time end,
            team_schedules.work_start_time,
            '09:00'
        ) as recipient_work_start_time,
        coalesce(
            case when unioned.recipient_type = 'person' then people.work_end_time end,
            team_schedules.work_end_time,
            '17:00'
        ) as recipient_work_end_time
    from unioned
    left join team_schedules
        on unioned.recipient_team_id = team_schedules.team_id
    left join people
        on unioned.recipient_person_id = people.person_id

)

select * from final
