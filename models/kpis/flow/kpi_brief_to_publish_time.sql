{#
    Brief -> publish time (flow, marketing): brief approved -> content
    published (docs/kpi-definitions.md), for task-tracker items of a content
    work type (var content_work_types). The brief is approved when work on it
    starts, the item's first entry into in_progress (a brief waiting in todo is
    not approved yet); the content is published at its final done. Calendar
    hours, per week of publishing; the interpolated median
    (brief_to_publish_time_p50) and 85th percentile (brief_to_publish_time_p85).
    An item that went straight to done was never approved as a brief and is
    left out.
#}
{%- set content_work_types =
    "'" ~ (var('content_work_types') | map('lower') | join("', '")) ~ "'" %}

with work_items as (

    select * from {{ ref('fct_work_items') }}

),

published_content as (

    select
        team_id,
        {{ week_start('done_at') }} as week_start,
        work_item_id,
        owner_person_id,
        cycle_time_hours as brief_to_publish_hours
    from work_items
    where
        work_item_type = 'task'
        and lower(work_type) in ({{ content_work_types }})
        and canonical_state = 'done'
        and done_at is not null
        and cycle_time_hours is not null
        and cycle_time_hours >= 0
        and team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('brief_to_publish_hours', 0.5) }} as brief_to_publish_p50_hours,
        {{ percentile('brief_to_publish_hours', 0.85) }} as brief_to_publish_p85_hours,
        count(*) as published_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('published_content') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'brief_to_publish_time_p50',
         'value': 'brief_to_publish_p50_hours',
         'sample_size': 'published_count', 'contributor_count': 'owner_count'},
        {'kpi_id': 'brief_to_publish_time_p85',
         'value': 'brief_to_publish_p85_hours',
         'sample_size': 'published_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
