{#
    Weighted throughput (delivery, every function's task-tracker work): the sum
    of size weights of tasks reaching FINAL done in the week (done_at is the
    last entry into done, and only items done now have one). size_weight is
    story points when present, else the size_weights seed (fct_work_items); a
    task with neither weighs nothing but still counts in sample_size.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}

),

done_tasks as (

    select
        team_id,
        {{ week_start('done_at') }} as week_start,
        work_item_id,
        owner_person_id,
        coalesce(size_weight, 0) as size_weight
    from work_items
    where
        work_item_type = 'task'
        and canonical_state = 'done'
        and done_at is not null
        and team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        sum(size_weight) as weighted_throughput,
        count(*) as done_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('done_tasks') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'weighted_throughput',
         'value': 'weighted_throughput',
         'sample_size': 'done_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
