{#
    Campaigns on schedule (reliability, marketing): campaigns launched by their
    planned date / campaigns launched (docs/kpi-definitions.md), for task-tracker
    items of a campaign work type (var campaign_work_types). A campaign is
    launched at its final done and planned for its due date; it is on schedule
    when its UTC launch date is on or before the due date. Per week of launch.
    A campaign launched without a planned date cannot be judged and is left
    out; one not launched yet is not counted (on-time delivery counts overdue
    work; this KPI is about the launches).
#}
{%- set campaign_work_types =
    "'" ~ (var('campaign_work_types') | map('lower') | join("', '")) ~ "'" %}

with work_items as (

    select * from {{ ref('fct_work_items') }}

),

launched_campaigns as (

    select
        team_id,
        {{ week_start('done_at') }} as week_start,
        work_item_id,
        owner_person_id,
        {{ to_date('done_at') }} <= due_date as is_on_schedule
    from work_items
    where
        work_item_type = 'task'
        and lower(work_type) in ({{ campaign_work_types }})
        and canonical_state = 'done'
        and done_at is not null
        and due_date is not null
        and team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when is_on_schedule then 1 end) as on_schedule_count,
        count(*) as launched_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('launched_campaigns') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'campaigns_on_schedule',
         'value': 'cast(on_schedule_count as float8) / nullif(launched_count, 0)',
         'sample_size': 'launched_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
