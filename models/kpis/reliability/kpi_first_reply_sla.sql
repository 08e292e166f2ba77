{#
    First reply SLA compliance (reliability, support): met / (met + breached)
    (docs/kpi-definitions.md). The target comes from the sla_targets seed by the
    ticket's current priority, in calendar hours from creation; a ticket
    without a priority (or with one the seed lacks) gets the `normal` target. deadline = created + target.
    - met: first agent reply at or before the deadline;
    - breached: the deadline passed before a reply, whether the reply came
      late, never came, or the ticket was solved without one after the
      deadline;
    - neither: no reply yet and the deadline is still ahead at the data's
      as-of time (still running), or the ticket was solved without a reply
      before its deadline (the target stopped running unmet and unbreached).
    A ticket counts in the week of its first reply; one never answered counts
    in the week of its deadline (the same rule as on_time_delivery).
    contributor_count is the distinct roster people among the replying agents
    and the tickets' assignees.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

tickets as (

    select * from {{ consented(
        ref('stg_zendesk__tickets'),
        ['assignee_account_id', 'submitter_account_id', 'requester_account_id'],
        source_system='zendesk',
        opted_out='accounts_opted_out'
    ) }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'case'

),

work_events as (

    select * from {{ ref('fct_work_events') }}
    where event_type in ('case.first_reply', 'case.solved')

),

sla_targets as (

    select * from {{ ref('sla_targets') }}

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}
    where source_system = 'zendesk'

),

ticket_milestones as (

    select
        work_item_id,
        min(case when event_type = 'case.first_reply' then occurred_at end)
            as first_reply_at,
        min(case when event_type = 'case.solved' then occurred_at end) as first_solved_at
    from work_events
    group by work_item_id

),

first_repliers as (

    select
        work_item_id,
        actor_person_id,
        row_number() over (
            partition by work_item_id
            order by occurred_at, event_id
        ) as reply_number
    from work_events
    where event_type = 'case.first_reply'

),

targeted as (

    select
        work_items.team_id,
        work_items.work_item_id,
        work_items.owner_person_id,
        first_repliers.actor_person_id as replier_person_id,
        ticket_milestones.first_reply_at,
        ticket_milestones.first_solved_at,
        {{ add_hours(
            'work_items.created_at',
            'coalesce(sla_targets.first_reply_target_hours, '
            ~ 'default_targets.first_reply_target_hours)'
        ) }} as deadline_at,
        data_as_of.as_of_at
    from work_items
    inner join tickets
        on work_items.source_item_id = cast(tickets.ticket_id as varchar)
    left join sla_targets
        on tickets.priority = sla_targets.priority
    left join sla_targets as default_targets
        on default_targets.priority = 'normal'
    left join ticket_milestones
        on work_items.work_item_id = ticket_milestones.work_item_id
    left join first_repliers
        on work_items.work_item_id = first_repliers.work_item_id
            and first_repliers.reply_number = 1
    cross join data_as_of
    where work_items.team_id is not null

),

judged as (

    select
        team_id,
        work_item_id,
        owner_person_id,
        replier_person_id,
        first_reply_at,
        deadline_at,
        case
            when first_reply_at is not null and first_reply_at <= deadline_at then 'met'
            when first_reply_at is not null then 'breached'
            when first_solved_at is not null and first_solved_at <= deadline_at then 'stopped'
            when deadline_at < as_of_at then 'breached'
            else 'running'
        end as sla_outcome
    from targeted

),

counted as (

    select
        team_id,
        work_item_id,
        owner_person_id,
        replier_person_id,
        sla_outcome,
        case
            when first_reply_at is not null then {{ week_start('first_reply_at') }}
            else {{ week_start('deadline_at') }}
        end as week_start
    from judged
    where sla_outcome in ('met', 'breached')

),

contributor_counts as (

    {{ period_contributor_counts('counted', ['owner_person_id', 'replier_person_id']) }}

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when sla_outcome = 'met' then 1 end) as met_count,
        count(*) as judged_count
    from {{ kpi_periods('counted') }}
    group by team_id, period_grain, period_start

),

measured as (

    select
        aggregated.*,
        coalesce(contributor_counts.contributor_count, 0) as contributor_count
    from aggregated
    left join contributor_counts
        on aggregated.team_id = contributor_counts.team_id
            and aggregated.period_grain = contributor_counts.period_grain
            and aggregated.period_start = contributor_counts.period_start

),

final as (

    {{ kpi_rows('measured', [
        {'kpi_id': 'first_reply_sla_compliance',
         'value': 'cast(met_count as float8) / nullif(judged_count, 0)',
         'sample_size': 'judged_count'},
    ]) }}

)

select * from final
