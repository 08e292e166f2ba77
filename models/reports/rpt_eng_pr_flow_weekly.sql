{#
    Pull request flow per team and merge week (the engineering delivery page):
    PR counts and the medians (p50, and p85 for cycle time) of each flow time,
    from human-authored merged PRs of fct_pull_requests. A team-week backed by
    fewer than k distinct authors (k = var('min_group_size'), docs/privacy.md) keeps
    its counts and times empty and is_suppressed true.
#}
{%- set k = kpi_min_group_size() %}
{%- set measures = [
    'pr_count', 'prs_with_review_data', 'prs_measured_to_merge',
    'cycle_time_p50_hours', 'cycle_time_p85_hours', 'coding_time_p50_hours',
    'pickup_time_p50_hours', 'review_time_p50_hours', 'deploy_time_p50_hours',
] %}

with pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

merged as (

    select
        team_id,
        {{ week_start('merged_at') }} as week_start,
        author_person_id,
        has_review_data,
        coding_time_hours,
        pickup_time_hours,
        review_time_hours,
        deploy_time_hours,
        cycle_time_hours,
        cycle_time_basis
    from pull_requests
    where
        merged_at is not null
        and team_id is not null
        and author_type = 'person'

),

cells as (

    select
        team_id,
        week_start,
        count(*) as pr_count,
        count(distinct author_person_id) as contributor_count,
        count(case when has_review_data then 1 end) as prs_with_review_data,
        count(case when cycle_time_basis = 'merged' then 1 end) as prs_measured_to_merge,
        {{ percentile('cycle_time_hours', 0.5) }} as cycle_time_p50_hours,
        {{ percentile('cycle_time_hours', 0.85) }} as cycle_time_p85_hours,
        {{ percentile('coding_time_hours', 0.5) }} as coding_time_p50_hours,
        {{ percentile('pickup_time_hours', 0.5) }} as pickup_time_p50_hours,
        {{ percentile('review_time_hours', 0.5) }} as review_time_p50_hours,
        {{ percentile('deploy_time_hours', 0.5) }} as deploy_time_p50_hours
    from merged
    group by team_id, week_start

),

flagged as (

    select
        *,
        contributor_count < {{ k }} as is_suppressed
    from cells

),

final as (

    select
        flagged.team_id,
        teams.team_name,
        flagged.week_start,
        {%- for measure in measures %}
            case when not flagged.is_suppressed then flagged.{{ measure }} end as {{ measure }},
        {%- endfor %}
        flagged.contributor_count,
        flagged.is_suppressed
    from flagged
    inner join teams
        on flagged.team_id = teams.team_id

)

select * from final
