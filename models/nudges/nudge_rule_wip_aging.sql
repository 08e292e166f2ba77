{#
    Nudge rule wip_aging (docs/nudges.md): a task in progress (in_progress,
    blocked or in_review) whose age since it started is past the team's own
    85th percentile cycle time (the team's tasks done in the 90 days before
    now, at least 5 of them) times the rule's threshold (seed nudge_rules).
    A team with fewer done tasks has no p85 yet and gets no nudge. "Now" is
    the data's as-of time of the item's source.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'task'

),

team_rules as (

    select * from {{ ref('nudge_base_team_rules') }}
    where rule_id = 'wip_aging' and is_enabled

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}

),

timed as (

    select
        work_items.*,
        data_as_of.as_of_at
    from work_items
    inner join data_as_of
        on work_items.source_system = data_as_of.source_system
    where work_items.team_id is not null

),

team_p85 as (

    select
        team_id,
        {{ percentile('cycle_time_hours', 0.85) }} as cycle_time_p85_hours,
        count(*) as done_count
    from timed
    where
        canonical_state = 'done'
        and cycle_time_hours is not null
        and done_at <= as_of_at
        and done_at > {{ add_hours('as_of_at', -24 * 90) }}
    group by team_id

),

aging as (

    select
        timed.team_id,
        timed.owner_person_id,
        timed.work_item_id,
        timed.source_system,
        timed.source_item_id,
        timed.started_at,
        timed.as_of_at,
        team_p85.cycle_time_p85_hours,
        {{ elapsed_hours('timed.started_at', 'timed.as_of_at') }} as age_hours
    from timed
    inner join team_p85
        on timed.team_id = team_p85.team_id
    where
        timed.canonical_state in ('in_progress', 'blocked', 'in_review')
        and timed.started_at is not null
        and team_p85.done_count >= 5

),

flagged as (

    select
        team_rules.rule_id,
        aging.team_id,
        aging.owner_person_id,
        'task' as subject_type,
        aging.work_item_id as subject_id,
        aging.source_system,
        aging.source_item_id as subject_ref,
        'older_than_team_p85' as reason_code,
        'in progress for longer than 85% of the team''s recently finished tasks took'
            as reason,
        team_rules.severity,
        aging.age_hours as wait_hours,
        aging.cycle_time_p85_hours * team_rules.threshold as threshold,
        'hours' as threshold_unit,
        {{ add_hours(
            'aging.started_at', 'aging.cycle_time_p85_hours * team_rules.threshold'
        ) }} as first_seen_at,
        aging.as_of_at,
        team_rules.notify_owner,
        team_rules.repeat_after_hours,
        team_rules.stop_after_hours
    from aging
    inner join team_rules
        on aging.team_id = team_rules.team_id
    where aging.age_hours > aging.cycle_time_p85_hours * team_rules.threshold

),

final as (

    {{ nudge_candidate_rows('flagged') }}

)

select * from final
