{#
    One row per cross-team handoff of a task-tracker item (Jira): an assignee
    change that gives the item to a member of another team, and the receiving
    team's first action on it (docs/kpi-definitions.md, handoff time).

    - The sending team is the previous assignee's team; an item that had no
      assignee is sent by the team of whoever assigned it. The receiving team
      is the new assignee's team. Both at the moment of the change
      (int_people_team_history), so a later team move changes nothing.
    - The first action is the item's first changelog entry after the handoff
      (any field: a status change, an edit, passing it on) by a member of the
      receiving team at that moment, no later than the item's next assignee
      change. A handoff nobody in the receiving team has acted on yet, or one
      passed on again first, has no first action (null).
    - A change whose sender or receiver is not a roster person, or where a
      person in it opted out, is left out.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

changelog_items as (

    select * from {{ consented(
        ref('stg_jira__changelog_items'),
        ['author_account_id', 'from_account_id', 'to_account_id'],
        source_system='jira',
        opted_out='accounts_opted_out'
    ) }}

),

accounts as (

    select * from {{ ref('int_accounts_mapped') }}
    where source_system = 'jira'

),

team_spells as (

    select * from {{ ref('int_people_team_history') }}

),

assignments as (

    select
        changelog_item_id,
        issue_id,
        changed_at,
        author_account_id,
        from_account_id,
        to_account_id,
        lead(changed_at) over (
            partition by issue_id
            order by changed_at, history_id, item_index
        ) as next_assignment_at
    from changelog_items
    where field_name = 'assignee'

),

handoffs as (

    select
        assignments.changelog_item_id,
        assignments.issue_id,
        assignments.changed_at as handed_over_at,
        assignments.next_assignment_at,
        receivers.person_id as to_person_id,
        receiving_spells.team_id as to_team_id,
        case
            when assignments.from_account_id is null then assigner_spells.team_id
            else sender_spells.team_id
        end as from_team_id
    from assignments
    inner join accounts as receivers
        on assignments.to_account_id = receivers.account_id
    inner join team_spells as receiving_spells
        on
            receivers.person_id = receiving_spells.person_id
            and {{ during_spell('receiving_spells', 'assignments.changed_at') }}
    left join accounts as senders
        on assignments.from_account_id = senders.account_id
    left join team_spells as sender_spells
        on
            senders.person_id = sender_spells.person_id
            and {{ during_spell('sender_spells', 'assignments.changed_at') }}
    left join accounts as assigners
        on assignments.author_account_id = assigners.account_id
    left join team_spells as assigner_spells
        on
            assigners.person_id = assigner_spells.person_id
            and {{ during_spell('assigner_spells', 'assignments.changed_at') }}

),

cross_team as (

    select * from handoffs
    where from_team_id is not null and from_team_id <> to_team_id

),

first_actions as (

    select
        cross_team.changelog_item_id,
        min(changelog_items.changed_at) as first_action_at
    from cross_team
    inner join changelog_items
        on
            cross_team.issue_id = changelog_items.issue_id
            and cross_team.handed_over_at < changelog_items.changed_at
            and (
                cross_team.next_assignment_at is null
                or cross_team.next_assignment_at >= changelog_items.changed_at
            )
    inner join accounts as actors
        on changelog_items.author_account_id = actors.account_id
    inner join team_spells as actor_spells
        on
            actors.person_id = actor_spells.person_id
            and {{ during_spell('actor_spells', 'changelog_items.changed_at') }}
    where actor_spells.team_id = cross_team.to_team_id
    group by cross_team.changelog_item_id

),

final as (

    select
        cross_team.changelog_item_id as handoff_id,
        'jira:task:' || cast(cross_team.issue_id as varchar) as work_item_id,
        'jira' as source_system,
        cross_team.from_team_id,
        cross_team.to_team_id,
        cross_team.to_person_id,
        cross_team.handed_over_at,
        first_actions.first_action_at,
        {{ elapsed_hours('cross_team.handed_over_at', 'first_actions.first_action_at') }}
            as handoff_hours
    from cross_team
    left join first_actions
        on cross_team.changelog_item_id = first_actions.changelog_item_id

)

select * from final
