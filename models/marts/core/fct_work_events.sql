{#
    The canonical event table: one row per event from every tool, in the closed
    vocabulary of the event_types seed (doc block event_type_vocabulary).
    team_id is the team the acting person was on when the event happened
    (int_people_team_history at occurred_at: someone who moved teams takes
    none of their earlier events along); for events without a person actor
    (bots, customers, uncollected actors) it is the work item's team, and for
    event subjects that are not work items (deployments, CI runs, meetings)
    the team their owner was on when the event happened.
#}
with jira_events as (

    select * from {{ ref('int_jira__events_mapped') }}

),

github_events as (

    select * from {{ ref('int_github__events_mapped') }}

),

pagerduty_events as (

    select * from {{ ref('int_pagerduty__events_mapped') }}

),

zendesk_events as (

    select * from {{ ref('int_zendesk__events_mapped') }}

),

servicenow_events as (

    select * from {{ ref('int_servicenow__events_mapped') }}

),

hubspot_events as (

    select * from {{ ref('int_hubspot__events_mapped') }}

),

calendar_events as (

    select * from {{ ref('int_calendar__events_mapped') }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}

),

team_spells as (

    select * from {{ ref('int_people_team_history') }}

),

{# Every mapper has the same columns; they are listed, not assumed in order. #}
{%- set mapped_event_columns = [
    'event_id', 'event_type', 'occurred_at', 'source_system', 'work_item_id',
    'work_item_type', 'actor_person_id', 'actor_type', 'work_item_owner_person_id',
    'from_state', 'to_state', 'amount',
] %}
unioned as (

    {% for mapper in [
        'jira_events', 'github_events', 'pagerduty_events',
        'zendesk_events', 'servicenow_events', 'hubspot_events', 'calendar_events',
    ] -%}
        {% if not loop.first %}union all{% endif %}
        select {{ mapped_event_columns | join(', ') }}
        from {{ mapper }}
    {% endfor %}

),

final as (

    select
        unioned.event_id,
        unioned.event_type,
        unioned.occurred_at,
        unioned.source_system,
        unioned.work_item_id,
        unioned.work_item_type,
        unioned.actor_person_id,
        unioned.actor_type,
        coalesce(actor_spells.team_id, work_items.team_id, owner_spells.team_id) as team_id,
        unioned.from_state,
        unioned.to_state,
        unioned.amount
    from unioned
    left join team_spells as actor_spells
        on unioned.actor_person_id = actor_spells.person_id
            and {{ during_spell('actor_spells', 'unioned.occurred_at') }}
    left join work_items
        on unioned.work_item_id = work_items.work_item_id
    left join team_spells as owner_spells
        on unioned.work_item_owner_person_id = owner_spells.person_id
            and {{ during_spell('owner_spells', 'unioned.occurred_at') }}
    {# Opted-out people's rows never reach the mappers (macro consented). #}
    where unioned.occurred_at is not null

)

select * from final
