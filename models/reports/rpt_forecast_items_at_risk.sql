{#
    The forecast page's at-risk list: open dated work items whose due date the
    team's forecast misses in more than forecast_at_risk_miss_probability of
    the trials (fct_work_item_due_date_risk.is_at_risk). By work item, never
    by person: no owner or assignee. Items of teams of fewer than k people
    are left out (their team's forecast is suppressed).
#}
{%- set k = kpi_min_group_size() -%}

with due_date_risk as (

    select * from {{ ref('fct_work_item_due_date_risk') }}
    where is_at_risk

),

teams as (

    select * from {{ ref('dim_teams') }}
    where member_count >= {{ k }}

),

final as (

    select
        due_date_risk.work_item_id,
        due_date_risk.team_id,
        teams.team_name,
        due_date_risk.work_item_type,
        due_date_risk.source_system,
        due_date_risk.source_item_id,
        due_date_risk.canonical_state,
        due_date_risk.due_date,
        due_date_risk.as_of_date,
        due_date_risk.days_until_due,
        due_date_risk.remaining_items,
        due_date_risk.miss_probability,
        due_date_risk.is_overdue,
        due_date_risk.is_beyond_horizon
    from due_date_risk
    inner join teams
        on due_date_risk.team_id = teams.team_id

)

select * from final
