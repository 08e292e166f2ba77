{#
    On-time delivery (reliability, every function's task-tracker work): items
    with a due date done on or before it / items with a due date that were done
    or fell due in the period (docs/kpi-definitions.md). Each task with a due date
    counts once:
    - done now: in the week of its final done; on time when its UTC done date
      is on or before the due date;
    - not done (and not canceled) and overdue at the data's as-of time (the
      due date is before the as-of date): late, in the week of the due date;
    - not done and not yet overdue, or canceled: not counted.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}

),

due_tasks as (

    select
        work_items.team_id,
        work_items.work_item_id,
        work_items.owner_person_id,
        work_items.due_date,
        case
            when work_items.canonical_state = 'done' then work_items.done_at
        end as done_at,
        {{ to_date('data_as_of.as_of_at') }} as as_of_date
    from work_items
    left join data_as_of
        on work_items.source_system = data_as_of.source_system
    where
        work_items.work_item_type = 'task'
        and work_items.due_date is not null
        and work_items.team_id is not null
        and work_items.canonical_state is distinct from 'canceled'

),

judged as (

    select
        team_id,
        work_item_id,
        owner_person_id,
        {# Guarded by the same test as the filter: engines may evaluate it first. #}
        case
            when done_at is not null then {{ week_start('done_at') }}
            when due_date < as_of_date then {{ week_start('due_date') }}
        end as week_start,
        done_at is not null and {{ to_date('done_at') }} <= due_date as is_on_time
    from due_tasks
    where
        done_at is not null
        or due_date < as_of_date

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when is_on_time then 1 end) as on_time_count,
        count(*) as due_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('judged') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'on_time_delivery',
         'value': 'cast(on_time_count as float8) / nullif(due_count, 0)',
         'sample_size': 'due_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
