{#
    Review latency (flow, engineering): review requested -> the first review
    by a requested reviewer (docs/kpi-definitions.md), per pull request, as
    fct_pull_requests measures it (review_latency_hours, calendar hours). In
    the week of that first requested review, for the pull request's team.
    Published as the interpolated median (review_latency_p50) and 85th
    percentile (review_latency_p85); contributor_count is the distinct roster
    authors of the pull requests.
#}
with pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

reviewed_on_request as (

    select
        team_id,
        pull_request_id,
        author_person_id,
        {{ week_start('first_requested_review_at') }} as week_start,
        review_latency_hours
    from pull_requests
    where team_id is not null and review_latency_hours is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('review_latency_hours', 0.5) }} as latency_p50_hours,
        {{ percentile('review_latency_hours', 0.85) }} as latency_p85_hours,
        count(*) as pull_request_count,
        count(distinct author_person_id) as author_count
    from {{ kpi_periods('reviewed_on_request') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'review_latency_p50', 'value': 'latency_p50_hours',
         'sample_size': 'pull_request_count', 'contributor_count': 'author_count'},
        {'kpi_id': 'review_latency_p85', 'value': 'latency_p85_hours',
         'sample_size': 'pull_request_count', 'contributor_count': 'author_count'},
    ]) }}

)

select * from final
