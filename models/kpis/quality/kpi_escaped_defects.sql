{#
    Escaped defects (quality, engineering): production bugs created in the week
    that are linked to an item shipped before the bug was filed
    (docs/kpi-definitions.md#escaped_defects), credited to the team that
    shipped the item: the defect escaped from its work. A production bug is
    fct_work_items.is_production_bug (the bug label or type mapping and a
    production environment: seeds/label_mappings.csv, seeds/environments.csv);
    the link is one of the issue link types of var escaped_defect_link_types
    (Jira's "Causes" by default), either direction, to an item done before the
    bug was created. A bug traced to several teams' items counts once for each.
    contributor_count is the distinct owners of the shipped items, so a week
    whose defects trace to fewer than k people's work is suppressed.
#}
{%- set escaped_defect_link_types =
    "'" ~ (var('escaped_defect_link_types') | map('lower') | join("', '")) ~ "'" %}

with work_items as (

    select * from {{ ref('fct_work_items') }}

),

issue_links as (

    select
        'jira:task:' || cast(issue_id as varchar) as work_item_id,
        'jira:task:' || cast(coalesce(outward_issue_id, inward_issue_id) as varchar)
            as linked_work_item_id
    from {{ ref('stg_jira__issue_links') }}
    where lower(link_type) in ({{ escaped_defect_link_types }})

),

{# Jira returns a link on both of its issues, but a pull may hold only one
   side (the other issue outside the scope): read each link both ways. #}
link_ends as (

    select
        work_item_id,
        linked_work_item_id
    from issue_links
    union distinct
    select
        linked_work_item_id as work_item_id,
        work_item_id as linked_work_item_id
    from issue_links

),

escaped as (

    select distinct
        shipped.team_id,
        {{ week_start('bugs.created_at') }} as week_start,
        bugs.work_item_id,
        shipped.owner_person_id
    from work_items as bugs
    inner join link_ends
        on bugs.work_item_id = link_ends.work_item_id
    inner join work_items as shipped
        on link_ends.linked_work_item_id = shipped.work_item_id
    where
        bugs.is_production_bug
        and shipped.work_item_id <> bugs.work_item_id
        and shipped.canonical_state = 'done'
        and shipped.done_at <= bugs.created_at
        and shipped.team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(distinct work_item_id) as escaped_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('escaped') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'escaped_defects',
         'value': 'escaped_count',
         'sample_size': 'escaped_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
