{#
    Nudge rule due_date_risk (docs/nudges.md): an open work item with a due
    date that the team's own throughput forecast (fct_work_item_due_date_risk,
    docs/forecasts.md#due-date-risk) misses in at least the rule's share of
    trials (seed nudge_rules threshold, a miss probability). Overdue items are
    left out: they have already missed, and a nudge is for what can still be
    saved. To the team; the owner too where the team's row says notify_owner.
    first_seen_at is the data's as-of time (the forecast has no history here).
#}
with due_date_risk as (

    select * from {{ ref('fct_work_item_due_date_risk') }}
    where not is_overdue

),

work_items as (

    select * from {{ ref('fct_work_items') }}

),

team_rules as (

    select * from {{ ref('nudge_base_team_rules') }}
    where rule_id = 'due_date_risk' and is_enabled

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}

),

flagged as (

    select
        team_rules.rule_id,
        due_date_risk.team_id,
        work_items.owner_person_id,
        due_date_risk.work_item_type as subject_type,
        due_date_risk.work_item_id as subject_id,
        due_date_risk.source_system,
        due_date_risk.source_item_id as subject_ref,
        'due_date_at_risk' as reason_code,
        'due ' || cast(due_date_risk.due_date as varchar) || ': '
        || cast(
            cast({{ round_float('due_date_risk.miss_probability * 100', 0) }} as integer)
            as varchar
        )
        || '% of the team''s forecasts miss it, '
        || cast(due_date_risk.remaining_items as varchar) || ' items to finish by then'
            as reason,
        team_rules.severity,
        cast(null as float8) as wait_hours,
        team_rules.threshold,
        team_rules.threshold_unit,
        data_as_of.as_of_at as first_seen_at,
        data_as_of.as_of_at,
        team_rules.notify_owner,
        team_rules.repeat_after_hours,
        team_rules.stop_after_hours
    from due_date_risk
    inner join team_rules
        on due_date_risk.team_id = team_rules.team_id
    inner join work_items
        on due_date_risk.work_item_id = work_items.work_item_id
    inner join data_as_of
        on due_date_risk.source_system = data_as_of.source_system
    where due_date_risk.miss_probability >= team_rules.threshold

),

final as (

    {{ nudge_candidate_rows('flagged') }}

)

select * from final
