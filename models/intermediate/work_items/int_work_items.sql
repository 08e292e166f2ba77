{#
    One row per work item across tools, with its current canonical state and
    the flow measures of docs/kpi-definitions.md#canonical-states-of-a-work-item,
    all computed from int_work_item_state_intervals:
    started_at = first entry into in_progress; done_at = the last entry into
    done when the item is done now; lead time = created -> done_at; cycle time
    = started_at -> done_at; blocked/in-review hours = total time in the state
    (an interval still open counts up to the build time); a reopen = leaving
    done for any other state.

    team_id is the team of the item's owner (an unassigned item: its
    creator) at one moment of the item (docs/architecture.md#team-history):
    when it was done (done_at, the moment throughput, cycle time and the
    other done-anchored KPIs count it); a canceled item when it was
    canceled; an item still open now (its owner's current team).
#}
with work_items as (

    select * from {{ ref('int_work_items_unioned') }}

),

state_intervals as (

    select * from {{ ref('int_work_item_state_intervals') }}

),

accounts as (

    select * from {{ ref('int_accounts_mapped') }}

),

team_spells as (

    select * from {{ ref('int_people_team_history') }}

),

status_mappings as (

    select * from {{ ref('status_mappings') }}

),

size_weights as (

    select * from {{ ref('size_weights') }}

),

label_mappings as (

    select * from {{ ref('label_mappings') }}

),

environments as (

    select * from {{ ref('environments') }}

),

{# The owner, and the creator whose team an unassigned item belongs to. #}
owned as (

    select
        work_items.work_item_id,
        owner_accounts.person_id as owner_person_id,
        creator_accounts.person_id as creator_person_id
    from work_items
    left join accounts as owner_accounts
        on work_items.source_system = owner_accounts.source_system
            and work_items.owner_account_id = owner_accounts.account_id
    left join accounts as creator_accounts
        on work_items.source_system = creator_accounts.source_system
            and work_items.creator_account_id = creator_accounts.account_id

),

labelled as (

    select
        work_items.work_item_id,
        bool_or(label_mappings.label_meaning = 'bug') as has_bug_label,
        bool_or(label_mappings.label_meaning = 'hotfix') as has_hotfix_label,
        bool_or(label_mappings.label_meaning = 'revert') as has_revert_label
    from work_items
    inner join label_mappings
        on work_items.source_system = label_mappings.source_system
            and (
                (
                    label_mappings.label_field = 'label'
                    and strpos(
                        '|' || work_items.label_names || '|',
                        '|' || lower(label_mappings.label_value) || '|'
                    ) > 0
                )
                or (
                    label_mappings.label_field = 'type'
                    and lower(work_items.item_type_name) = lower(label_mappings.label_value)
                )
            )
    group by work_items.work_item_id

),

intervals_measured as (

    select
        work_item_id,
        canonical_state,
        previous_state,
        entered_at,
        is_current,
        {{ elapsed_hours('entered_at', 'coalesce(exited_at, ' ~ utc_now() ~ ')') }}
            as hours_so_far
    from state_intervals

),

flow as (

    select
        work_item_id,
        min(case when canonical_state = 'in_progress' then entered_at end) as started_at,
        max(case when canonical_state = 'done' then entered_at end) as last_done_at,
        max(case when is_current then canonical_state end) as interval_state,
        max(case when is_current then entered_at end) as current_state_entered_at,
        count(case when previous_state = 'done' then 1 end) as reopen_count,
        coalesce(
            sum(case when canonical_state = 'blocked' then hours_so_far end), 0
        ) as blocked_hours,
        coalesce(
            sum(case when canonical_state = 'in_review' then hours_so_far end), 0
        ) as in_review_hours
    from intervals_measured
    group by work_item_id

),

joined as (

    select
        work_items.work_item_id,
        work_items.work_item_type,
        work_items.source_system,
        work_items.source_item_id,
        case
            when work_items.work_item_type <> 'pull_request' then work_items.work_type
            when work_items.is_revert or labelled.has_revert_label then 'revert'
            when labelled.has_hotfix_label then 'hotfix'
            when labelled.has_bug_label then 'bugfix'
            else 'change'
        end as work_type,
        owned.owner_person_id,
        owned.creator_person_id,
        coalesce(status_mappings.canonical_state, flow.interval_state) as canonical_state,
        flow.current_state_entered_at,
        work_items.created_at,
        flow.started_at,
        flow.last_done_at,
        work_items.due_date,
        work_items.story_points,
        work_items.size_bucket,
        coalesce(work_items.story_points, size_weights.size_weight) as size_weight,
        coalesce(labelled.has_bug_label, false) as is_bug,
        coalesce(labelled.has_bug_label and environments.is_production, false)
            as is_production_bug,
        flow.reopen_count,
        flow.blocked_hours,
        flow.in_review_hours
    from work_items
    left join owned
        on work_items.work_item_id = owned.work_item_id
    left join labelled
        on work_items.work_item_id = labelled.work_item_id
    left join flow
        on work_items.work_item_id = flow.work_item_id
    left join status_mappings
        on work_items.source_system = status_mappings.source_system
            and work_items.work_item_type = status_mappings.work_item_type
            and lower(work_items.source_status) = lower(status_mappings.source_status)
    left join size_weights
        on work_items.size_bucket = size_weights.size_bucket
    left join environments
        on lower(work_items.environment_name) = environments.environment_name

),

{# The moment that decides the item's team (header): done, canceled, or now. #}
anchored as (

    select
        joined.*,
        case
            when joined.canonical_state = 'done' then joined.last_done_at
            when joined.canonical_state = 'canceled'
                then coalesce(joined.current_state_entered_at, {{ utc_now() }})
            else {{ utc_now() }}
        end as team_moment
    from joined

),

teamed as (

    select
        anchored.*,
        coalesce(owner_spells.team_id, creator_spells.team_id) as team_id
    from anchored
    left join team_spells as owner_spells
        on anchored.owner_person_id = owner_spells.person_id
            and {{ during_spell('owner_spells', 'anchored.team_moment') }}
    left join team_spells as creator_spells
        on anchored.creator_person_id = creator_spells.person_id
            and {{ during_spell('creator_spells', 'anchored.team_moment') }}

),

final as (

    select
        work_item_id,
        work_item_type,
        source_system,
        source_item_id,
        work_type,
        team_id,
        owner_person_id,
        canonical_state,
        created_at,
        started_at,
        case when canonical_state = 'done' then last_done_at end as done_at,
        due_date,
        story_points,
        size_bucket,
        size_weight,
        is_bug,
        is_production_bug,
        reopen_count,
        blocked_hours,
        in_review_hours,
        case
            when canonical_state = 'done'
                then {{ elapsed_hours('created_at', 'last_done_at') }}
        end as lead_time_hours,
        case
            when canonical_state = 'done'
                then {{ elapsed_hours('started_at', 'last_done_at') }}
        end as cycle_time_hours
    {# Opted-out people's items never reach int_work_items_unioned (macro consented). #}
    from teamed

)

select * from final
