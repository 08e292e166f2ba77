{#
    Cycle time by PR size per team over the 13 weeks ending with the latest
    merge week (the engineering delivery page). The buckets, their order and
    their line ranges are the seed pr_size_buckets (the same the mart's
    size_bucket comes from). A bucket backed by fewer than k distinct authors
    keeps its times empty and is_suppressed true; if any bucket of a team is
    suppressed, the PR counts of all its buckets stay empty: the team's weekly
    PR counts minus the other buckets would give the suppressed one away
    (docs/privacy.md#differencing).
#}
{%- set k = kpi_min_group_size() %}

with pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

size_buckets as (

    select * from {{ ref('pr_size_buckets') }}

),

window_start as (

    select {{ add_weeks('max(' ~ week_start('merged_at') ~ ')', -12) }} as merged_from
    from pull_requests

),

recent as (

    select
        pull_requests.team_id,
        pull_requests.size_bucket,
        pull_requests.author_person_id,
        pull_requests.cycle_time_hours
    from pull_requests
    cross join window_start
    where
        pull_requests.merged_at is not null
        and pull_requests.team_id is not null
        and pull_requests.author_type = 'person'
        and pull_requests.size_bucket is not null
        and pull_requests.merged_at >= window_start.merged_from

),

cells as (

    select
        team_id,
        size_bucket,
        count(*) as pr_count,
        count(distinct author_person_id) as contributor_count,
        {{ percentile('cycle_time_hours', 0.5) }} as cycle_time_p50_hours,
        {{ percentile('cycle_time_hours', 0.85) }} as cycle_time_p85_hours
    from recent
    group by team_id, size_bucket

),

flagged as (

    select
        *,
        contributor_count < {{ k }} as is_suppressed,
        {{ any_true('contributor_count < ' ~ k) }} over (partition by team_id)
            as team_has_suppressed
    from cells

),

labelled as (

    select
        size_bucket,
        size_order,
        cast(
            size_bucket || ' ('
            || case
                when min_lines_changed = 0
                    then '<' || cast(max_lines_changed as varchar) || ' lines'
                when max_lines_changed is null
                    then cast(min_lines_changed as varchar) || '+'
                else cast(min_lines_changed as varchar) || '-'
                    || cast(max_lines_changed - 1 as varchar)
            end
            || ')' as varchar
        ) as size_label
    from size_buckets

),

final as (

    select
        flagged.team_id,
        teams.team_name,
        flagged.size_bucket,
        labelled.size_order,
        labelled.size_label,
        case when not flagged.team_has_suppressed then flagged.pr_count end as pr_count,
        flagged.contributor_count,
        case when not flagged.is_suppressed then flagged.cycle_time_p50_hours end
            as cycle_time_p50_hours,
        case when not flagged.is_suppressed then flagged.cycle_time_p85_hours end
            as cycle_time_p85_hours,
        flagged.is_suppressed
    from flagged
    inner join teams
        on flagged.team_id = teams.team_id
    {#- left: a bucket missing from the seed fails size_order's not_null test. #}
    left join labelled
        on flagged.size_bucket = labelled.size_bucket

)

select * from final
