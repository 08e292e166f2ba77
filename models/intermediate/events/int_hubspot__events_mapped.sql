{#
    HubSpot CRM activity as canonical events: leads (lead.created,
    lead.first_touch), deals (deal.created, deal.stage_changed, deal.won,
    deal.lost; all carry the deal amount) and CRM meetings by outcome
    (sales_meeting.held, sales_meeting.no_show). Who created a lead or deal or
    moved a stage is not collected (actor unknown; the team is the owner's).
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

contacts as (

    select * from {{ consented(
        ref('stg_hubspot__contacts'),
        'owner_account_id',
        source_system='hubspot',
        opted_out='accounts_opted_out'
    ) }}

),

deals as (

    select * from {{ consented(
        ref('stg_hubspot__deals'),
        'owner_account_id',
        source_system='hubspot',
        opted_out='accounts_opted_out'
    ) }}

),

deal_stages as (

    select * from {{ ref('stg_hubspot__deal_stage_history') }}

),

engagements as (

    select * from {{ consented(
        ref('stg_hubspot__engagements'),
        'owner_account_id',
        source_system='hubspot',
        opted_out='accounts_opted_out'
    ) }}

),

accounts as (

    select * from {{ ref('int_accounts_mapped') }}
    where source_system = 'hubspot'

),

status_mappings as (

    select * from {{ ref('status_mappings') }}
    where source_system = 'hubspot' and work_item_type = 'deal'

),

{# A sales touch: an outgoing call or email, or a meeting that took place. #}
touches as (

    select
        engagements.contact_id,
        engagements.engagement_id,
        engagements.occurred_at,
        engagements.owner_account_id,
        row_number() over (
            partition by engagements.contact_id
            order by engagements.occurred_at, engagements.engagement_id
        ) as touch_number
    from engagements
    inner join contacts
        on engagements.contact_id = contacts.contact_id
    where
        engagements.occurred_at >= contacts.created_at
        and (
            engagements.engagement_type in ('call', 'email')
            or (
                engagements.engagement_type = 'meeting'
                and coalesce(engagements.meeting_outcome, 'completed')
                not in ('no_show', 'canceled', 'cancelled', 'rescheduled')
            )
        )

),

stage_entries as (

    select
        deal_stages.deal_stage_entry_id,
        deal_stages.deal_id,
        deal_stages.deal_stage,
        deal_stages.entered_at,
        lag(deal_stages.deal_stage) over (
            partition by deal_stages.deal_id
            order by deal_stages.entered_at, deal_stages.deal_stage_entry_id
        ) as previous_deal_stage
    from deal_stages

),

stage_changes as (

    select
        stage_entries.*,
        from_mappings.canonical_state as from_state,
        to_mappings.canonical_state as to_state
    from stage_entries
    left join status_mappings as from_mappings
        on stage_entries.previous_deal_stage = lower(from_mappings.source_status)
    left join status_mappings as to_mappings
        on stage_entries.deal_stage = lower(to_mappings.source_status)

),

events as (

    select
        {{ stable_id("'hubspot'", "'lead.created'", 'contact_id') }} as event_id,
        'lead.created' as event_type,
        created_at as occurred_at,
        'hubspot:lead:' || cast(contact_id as varchar) as work_item_id,
        'lead' as work_item_type,
        cast(null as varchar) as actor_account_id,
        owner_account_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state,
        cast(null as bigint) as deal_id
    from contacts

    union all

    select
        {{ stable_id("'hubspot'", "'lead.first_touch'", 'contact_id') }} as event_id,
        'lead.first_touch' as event_type,
        occurred_at,
        'hubspot:lead:' || cast(contact_id as varchar) as work_item_id,
        'lead' as work_item_type,
        owner_account_id as actor_account_id,
        owner_account_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state,
        cast(null as bigint) as deal_id
    from touches
    where touch_number = 1

    union all

    select
        {{ stable_id("'hubspot'", "'deal.created'", 'deal_id') }} as event_id,
        'deal.created' as event_type,
        created_at as occurred_at,
        'hubspot:deal:' || cast(deal_id as varchar) as work_item_id,
        'deal' as work_item_type,
        cast(null as varchar) as actor_account_id,
        owner_account_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state,
        deal_id
    from deals

    union all

    select
        {{ stable_id("'hubspot'", "'deal.stage_changed'", 'deal_stage_entry_id') }}
            as event_id,
        'deal.stage_changed' as event_type,
        entered_at as occurred_at,
        'hubspot:deal:' || cast(deal_id as varchar) as work_item_id,
        'deal' as work_item_type,
        cast(null as varchar) as actor_account_id,
        cast(null as varchar) as owner_account_id,
        from_state,
        to_state,
        deal_id
    from stage_changes
    where previous_deal_stage is not null

    union all

    select
        {{ stable_id("'hubspot'", "'deal.closed'", 'deal_stage_entry_id') }} as event_id,
        case when deal_stage = 'closedwon' then 'deal.won' else 'deal.lost' end
            as event_type,
        entered_at as occurred_at,
        'hubspot:deal:' || cast(deal_id as varchar) as work_item_id,
        'deal' as work_item_type,
        cast(null as varchar) as actor_account_id,
        cast(null as varchar) as owner_account_id,
        from_state,
        to_state,
        deal_id
    from stage_changes
    where deal_stage in ('closedwon', 'closedlost')

    union all

    select
        {{ stable_id("'hubspot'", "'sales_meeting'", 'engagement_id') }} as event_id,
        case
            when meeting_outcome = 'completed' then 'sales_meeting.held'
            else 'sales_meeting.no_show'
        end as event_type,
        occurred_at,
        'hubspot:meeting:' || cast(engagement_id as varchar) as work_item_id,
        'meeting' as work_item_type,
        owner_account_id as actor_account_id,
        owner_account_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state,
        cast(null as bigint) as deal_id
    from engagements
    where engagement_type = 'meeting' and meeting_outcome in ('completed', 'no_show')

),

final as (

    select
        events.event_id,
        events.event_type,
        events.occurred_at,
        'hubspot' as source_system,
        events.work_item_id,
        events.work_item_type,
        actors.person_id as actor_person_id,
        coalesce(actors.actor_type, 'unknown') as actor_type,
        owners.person_id as work_item_owner_person_id,
        events.from_state,
        events.to_state,
        deals.amount
    from events
    left join accounts as actors
        on events.actor_account_id = actors.account_id
    left join accounts as owners
        on events.owner_account_id = owners.account_id
    left join deals
        on events.deal_id = deals.deal_id

)

select * from final
