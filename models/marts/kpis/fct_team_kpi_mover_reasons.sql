{#
    Why each mover of fct_team_kpi_movers moved, from the data one level
    down (docs/narrative.md#reasons), in plain sentences. One row per mover
    and kind of reason that applies and has data:

    - stage (task cycle time KPIs): the stage of the flow whose mean hours
      per done task changed most in the mover's direction — in progress
      (working), blocked or in review (fct_work_items.blocked_hours,
      in_review_hours; working = cycle time − blocked − in review) — this
      week against the median of its weekly means over the mover's range
      weeks (the prior published weeks the mover compares with).
    - waiting_for_review (PR pickup time KPIs): the mean hours merged or
      reviewed pull requests waited for their first review and spent in
      review, this week against the range weeks (fct_pull_requests, week of
      the first review).
    - work_type (task and support KPIs): the work type (tasks: the Jira
      work type or issue type; tickets: the ticket type) whose share of the
      week's items changed most, against its pooled share over the range
      weeks.
    - volume (support KPIs): the week's new tickets in the team's queue
      against the median week of the range, when it differs by a quarter or
      more.
    - source (support KPIs): the tool (help desk) whose share of the week's
      tickets changed most.

    A stage is named when it moved by at least 1 hour and 10% of its range
    value; a work type or source when its share moved by 10 points or more.

    Privacy: team level only; a week's slice (a stage's items, a work type,
    a source) is only used when its items come from at least k distinct
    people (var min_group_size), like any published cell, and so are the
    range weeks it is compared with. A mover whose data one level down is
    too thin has no reason row, and the digest says so.
#}
{%- set min_group_size = kpi_min_group_size() %}
{%- set task_kpis = ['task_cycle_time_p50', 'task_cycle_time_p85', 'weighted_throughput',
    'on_time_delivery', 'rework_rate'] %}
{%- set stage_kpis = ['task_cycle_time_p50', 'task_cycle_time_p85'] %}
{%- set review_kpis = ['pr_pickup_time_p50', 'pr_pickup_time_p85'] %}

with movers as (

    select * from {{ ref('fct_team_kpi_movers') }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}

),

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

done_tasks as (

    select
        team_id,
        {{ week_start('done_at') }} as week_start,
        owner_person_id,
        coalesce(work_type, 'unspecified') as work_type,
        cycle_time_hours,
        coalesce(blocked_hours, 0) as blocked_hours,
        coalesce(in_review_hours, 0) as in_review_hours
    from work_items
    where work_item_type = 'task'
        and canonical_state = 'done'
        and done_at is not null
        and team_id is not null

),

new_cases as (

    select
        team_id,
        {{ week_start('created_at') }} as week_start,
        owner_person_id,
        coalesce(work_type, 'unspecified') as work_type,
        source_system
    from work_items
    where work_item_type = 'case'
        and team_id is not null

),

{# Mean hours per done task in each stage, per team and week. #}
stage_weeks as (

    select
        team_id,
        week_start,
        stage,
        avg(hours) as mean_hours,
        count(distinct owner_person_id) as owner_count
    from (
        select
            team_id,
            week_start,
            owner_person_id,
            'working' as stage,
            cycle_time_hours - blocked_hours - in_review_hours as hours
        from done_tasks
        where cycle_time_hours is not null
        union all
        select
            team_id,
            week_start,
            owner_person_id,
            'blocked' as stage,
            blocked_hours as hours
        from done_tasks
        where cycle_time_hours is not null
        union all
        select
            team_id,
            week_start,
            owner_person_id,
            'in review' as stage,
            in_review_hours as hours
        from done_tasks
        where cycle_time_hours is not null
    ) as stage_hours
    group by team_id, week_start, stage

),

{# Pull requests by the week of their first review: waiting, then in review. #}
review_weeks as (

    select
        team_id,
        week_start,
        stage,
        avg(hours) as mean_hours,
        count(distinct author_person_id) as owner_count
    from (
        select
            team_id,
            {{ week_start('first_review_at') }} as week_start,
            author_person_id,
            'waiting for review' as stage,
            pickup_time_hours as hours
        from pull_requests
        where first_review_at is not null and pickup_time_hours is not null
            and team_id is not null
        union all
        select
            team_id,
            {{ week_start('first_review_at') }} as week_start,
            author_person_id,
            'in review' as stage,
            review_time_hours as hours
        from pull_requests
        where first_review_at is not null and review_time_hours is not null
            and team_id is not null
    ) as review_hours
    group by team_id, week_start, stage

),

{# Items per team, week and slice (work type or source), with the week's total. #}
slice_weeks as (

    select
        team_id,
        week_start,
        'task' as item_family,
        'work_type' as dimension,
        work_type as slice,
        count(*) as item_count,
        count(distinct owner_person_id) as owner_count
    from done_tasks
    group by team_id, week_start, work_type
    union all
    select
        team_id,
        week_start,
        'case' as item_family,
        'work_type' as dimension,
        work_type as slice,
        count(*) as item_count,
        count(distinct owner_person_id) as owner_count
    from new_cases
    group by team_id, week_start, work_type
    union all
    select
        team_id,
        week_start,
        'case' as item_family,
        'source' as dimension,
        source_system as slice,
        count(*) as item_count,
        count(distinct owner_person_id) as owner_count
    from new_cases
    group by team_id, week_start, source_system

),

slice_totals as (

    select
        team_id,
        week_start,
        item_family,
        dimension,
        sum(item_count) as total_count
    from slice_weeks
    group by team_id, week_start, item_family, dimension

),

mover_families as (

    select
        movers.*,
        case
            when
                movers.kpi_id in (
                    '{{ task_kpis | join("', '") }}'  -- noqa: LT05
                )
                then 'task'
            when movers.function_name = 'support' then 'case'
        end as item_family
    from movers

),

{# ---- stage reasons: tasks' stages and pull requests' review stages ---- #}
stage_inputs as (

    select
        'stage' as reason_kind,
        stage_weeks.*
    from stage_weeks
    union all
    select
        'waiting_for_review' as reason_kind,
        review_weeks.*
    from review_weeks

),

stage_compared as (

    select
        mover_families.team_kpi_mover_id,
        mover_families.movement,
        stage_inputs.reason_kind,
        stage_inputs.stage,
        max(case
            when stage_inputs.week_start = mover_families.week_start
                then stage_inputs.mean_hours
        end) as week_hours,
        {{ percentile(
            'case when stage_inputs.week_start < mover_families.week_start'
            ~ ' then stage_inputs.mean_hours end', 0.5) }} as range_hours
    from mover_families
    inner join stage_inputs
        on mover_families.team_id = stage_inputs.team_id
            and mover_families.prior_first_week_start <= stage_inputs.week_start
            and mover_families.week_start >= stage_inputs.week_start
            and stage_inputs.owner_count >= {{ min_group_size }}
            and (
                (
                    stage_inputs.reason_kind = 'stage'
                    and mover_families.kpi_id in (
                        '{{ stage_kpis | join("', '") }}'  -- noqa: LT05
                    )
                )
                or (
                    stage_inputs.reason_kind = 'waiting_for_review'
                    and mover_families.kpi_id in (
                        '{{ review_kpis | join("', '") }}'  -- noqa: LT05
                    )
                )
            )
    group by
        mover_families.team_kpi_mover_id,
        mover_families.movement,
        stage_inputs.reason_kind,
        stage_inputs.stage

),

stage_picked as (

    select
        stage_compared.*,
        row_number() over (
            partition by stage_compared.team_kpi_mover_id, stage_compared.reason_kind
            order by
                case
                    when stage_compared.movement = 'up'
                        then stage_compared.week_hours - stage_compared.range_hours
                    else stage_compared.range_hours - stage_compared.week_hours
                end desc,
                stage_compared.stage
        ) as pick
    from stage_compared
    where stage_compared.week_hours is not null
        and stage_compared.range_hours is not null
        and abs(stage_compared.week_hours - stage_compared.range_hours)
        >= greatest(1, 0.1 * stage_compared.range_hours)
        and (stage_compared.week_hours > stage_compared.range_hours)
        = (stage_compared.movement = 'up')

),

stage_reasons as (

    select
        team_kpi_mover_id,
        reason_kind,
        stage as reason_subject,
        cast(week_hours as float8) as week_value,
        cast(range_hours as float8) as range_value,
        case
            when reason_kind = 'stage' then 'Time ' || stage || ' per done task'
            else 'Time ' || stage || ' per pull request'
        end
        || case when week_hours > range_hours then ' grew most: ' else ' shrank most: ' end
        || 'a mean of ' || {{ narrative_value('week_hours', "'hours'") }}
        || ' this week against ' || {{ narrative_value('range_hours', "'hours'") }}
        || ' in a typical week of the range.' as reason
    from stage_picked
    where pick = 1

),

{# ---- slice reasons: work type and source shares ---- #}
slice_compared as (

    select
        mover_families.team_kpi_mover_id,
        slice_weeks.dimension,
        slice_weeks.slice,
        mover_families.item_family,
        sum(case
            when slice_weeks.week_start = mover_families.week_start
                then slice_weeks.item_count
            else 0
        end) as week_count,
        max(case
            when slice_weeks.week_start = mover_families.week_start
                then slice_totals.total_count
        end) as week_total,
        sum(case
            when slice_weeks.week_start < mover_families.week_start
                then slice_weeks.item_count
            else 0
        end) as range_count,
        max(case
            when slice_weeks.week_start = mover_families.week_start
                then slice_weeks.owner_count
        end) as week_owner_count
    from mover_families
    inner join slice_weeks
        on mover_families.team_id = slice_weeks.team_id
            and mover_families.item_family = slice_weeks.item_family
            and mover_families.prior_first_week_start <= slice_weeks.week_start
            and mover_families.week_start >= slice_weeks.week_start
    inner join slice_totals
        on slice_weeks.team_id = slice_totals.team_id
            and slice_weeks.week_start = slice_totals.week_start
            and slice_weeks.item_family = slice_totals.item_family
            and slice_weeks.dimension = slice_totals.dimension
    group by
        mover_families.team_kpi_mover_id,
        slice_weeks.dimension,
        slice_weeks.slice,
        mover_families.item_family

),

range_totals as (

    select
        mover_families.team_kpi_mover_id,
        slice_totals.dimension,
        sum(slice_totals.total_count) as range_total
    from mover_families
    inner join slice_totals
        on mover_families.team_id = slice_totals.team_id
            and mover_families.item_family = slice_totals.item_family
            and mover_families.prior_first_week_start <= slice_totals.week_start
            and mover_families.week_start > slice_totals.week_start
    group by mover_families.team_kpi_mover_id, slice_totals.dimension

),

slice_shares as (

    select
        slice_compared.*,
        range_totals.range_total,
        cast(slice_compared.week_count as float8)
        / nullif(slice_compared.week_total, 0) as week_share,
        cast(slice_compared.range_count as float8)
        / nullif(range_totals.range_total, 0) as range_share
    from slice_compared
    inner join range_totals
        on slice_compared.team_kpi_mover_id = range_totals.team_kpi_mover_id
            and slice_compared.dimension = range_totals.dimension
    where slice_compared.week_owner_count >= {{ min_group_size }}

),

slice_picked as (

    select
        slice_shares.*,
        row_number() over (
            partition by slice_shares.team_kpi_mover_id, slice_shares.dimension
            order by
                abs(slice_shares.week_share - slice_shares.range_share) desc,
                slice_shares.slice
        ) as pick
    from slice_shares
    where slice_shares.week_share is not null
        and slice_shares.range_share is not null
        and abs(slice_shares.week_share - slice_shares.range_share) >= 0.1

),

slice_reasons as (

    select
        team_kpi_mover_id,
        dimension as reason_kind,
        slice as reason_subject,
        week_share as week_value,
        range_share as range_value,
        case
            when dimension = 'source' then 'Tickets from ' || slice
            when item_family = 'case' then 'Tickets of type ' || slice
            else 'Work of type ' || slice
        end
        || ' made up ' || {{ narrative_value('week_share', "'ratio'") }}
        || ' of the week''s '
        || case when item_family = 'case' then 'new tickets' else 'done tasks' end
        || ' (' || cast(week_count as varchar)
        || ' of ' || cast(week_total as varchar)
        || ') against ' || {{ narrative_value('range_share', "'ratio'") }}
        || ' over the range weeks.' as reason
    from slice_picked
    where pick = 1

),

{# ---- volume reason (support): the week's new tickets against the range ---- #}
volume_weeks as (

    select
        team_id,
        week_start,
        count(*) as item_count,
        count(distinct owner_person_id) as owner_count
    from new_cases
    group by team_id, week_start

),

volume_compared as (

    select
        mover_families.team_kpi_mover_id,
        max(case
            when volume_weeks.week_start = mover_families.week_start
                then volume_weeks.item_count
        end) as week_count,
        {{ percentile(
            'case when volume_weeks.week_start < mover_families.week_start'
            ~ ' then volume_weeks.item_count end', 0.5) }} as range_count
    from mover_families
    inner join volume_weeks
        on mover_families.team_id = volume_weeks.team_id
            and mover_families.prior_first_week_start <= volume_weeks.week_start
            and mover_families.week_start >= volume_weeks.week_start
            and volume_weeks.owner_count >= {{ min_group_size }}
    where mover_families.item_family = 'case'
    group by mover_families.team_kpi_mover_id

),

volume_reasons as (

    select
        team_kpi_mover_id,
        'volume' as reason_kind,
        'new tickets' as reason_subject,
        cast(week_count as float8) as week_value,
        cast(range_count as float8) as range_value,
        'The queue received ' || cast(week_count as varchar)
        || ' new tickets this week, '
        || {{ narrative_fixed('week_count / range_count', 1) }}
        || ' times the ' || {{ narrative_fixed('range_count', 0) }}
        || ' of a typical week in the range.' as reason
    from volume_compared
    where week_count is not null
        and range_count > 0
        and abs(week_count - range_count) >= 0.25 * range_count

),

reasons as (

    select * from volume_reasons
    union all
    select * from stage_reasons
    union all
    select * from slice_reasons

),

final as (

    select
        {{ stable_id('reasons.team_kpi_mover_id', 'reasons.reason_kind') }}
            as team_kpi_mover_reason_id,
        reasons.team_kpi_mover_id,
        movers.team_id,
        movers.week_start,
        movers.kpi_id,
        reasons.reason_kind,
        case reasons.reason_kind
            when 'stage' then 1
            when 'waiting_for_review' then 1
            when 'volume' then 1
            when 'work_type' then 2
            else 3
        end as reason_position,
        reasons.reason_subject,
        reasons.week_value,
        reasons.range_value,
        reasons.reason
    from reasons
    inner join movers
        on reasons.team_kpi_mover_id = movers.team_kpi_mover_id

)

select * from final
