{#
    Nudge rule queue_over_capacity (docs/nudges.md): a team's open help desk
    queue (its cases neither done nor canceled) holds more than the rule's
    threshold times its capacity, the cases the team resolved in the 7 days
    before now (at least 1, so a team that resolved none is judged against
    one). The subject is the team's queue, never a person: no owner nudge.
    first_seen_at is now (the queue's history is not replayed). "Now" is the
    data's as-of time of the source.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'case'

),

team_rules as (

    select * from {{ ref('nudge_base_team_rules') }}
    where rule_id = 'queue_over_capacity' and is_enabled

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}

),

timed as (

    select
        work_items.team_id,
        work_items.source_system,
        work_items.canonical_state,
        work_items.created_at,
        work_items.done_at,
        data_as_of.as_of_at
    from work_items
    inner join data_as_of
        on work_items.source_system = data_as_of.source_system
    where work_items.team_id is not null

),

queues as (

    select
        team_id,
        source_system,
        max(as_of_at) as as_of_at,
        count(
            case
                when canonical_state not in ('done', 'canceled') and created_at <= as_of_at
                    then 1
            end
        ) as open_count,
        count(
            case
                when
                    done_at <= as_of_at
                    and done_at > {{ add_hours('as_of_at', -24 * 7) }}
                    then 1
            end
        ) as resolved_7d_count
    from timed
    group by team_id, source_system

),

flagged as (

    select
        team_rules.rule_id,
        queues.team_id,
        cast(null as varchar) as owner_person_id,
        'queue' as subject_type,
        'queue:' || queues.source_system || ':' || queues.team_id as subject_id,
        queues.source_system,
        cast(queues.open_count as varchar) || ' open, '
        || cast(queues.resolved_7d_count as varchar) || ' resolved in 7 days' as subject_ref,
        'queue_over_capacity' as reason_code,
        'the open queue is larger than the team resolves in a week, by more than the threshold'
            as reason,
        team_rules.severity,
        cast(null as float8) as wait_hours,
        team_rules.threshold * greatest(queues.resolved_7d_count, 1) as threshold,
        'open cases' as threshold_unit,
        queues.as_of_at as first_seen_at,
        queues.as_of_at,
        false as notify_owner,
        team_rules.repeat_after_hours,
        team_rules.stop_after_hours
    from queues
    inner join team_rules
        on queues.team_id = team_rules.team_id
    where
        queues.open_count
        > team_rules.threshold * greatest(queues.resolved_7d_count, 1)

),

final as (

    {{ nudge_candidate_rows('flagged') }}

)

select * from final
