{#
    PR pickup time (flow, engineering): first review - PR opened, in calendar
    hours, where a review is a submitted review or review comment by someone
    other than the author, not a bot (docs/kpi-definitions.md). pr.reviewed events
    already exclude the author's own reviews; bots are dropped here. Reviewers
    outside the roster (actor_type external/unknown) are still reviewers.
    In the week of the first review, for the author's team. Published as the
    interpolated median (pr_pickup_time_p50) and 85th percentile
    (pr_pickup_time_p85). contributor_count is the distinct roster people
    among the authors and first reviewers.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'pull_request'

),

work_events as (

    select * from {{ ref('fct_work_events') }}
    where event_type = 'pr.reviewed'

),

human_reviews as (

    select
        work_item_id,
        occurred_at,
        actor_person_id,
        row_number() over (
            partition by work_item_id
            order by occurred_at, event_id
        ) as review_number
    from work_events
    where actor_type <> 'bot'

),

picked_up as (

    select
        work_items.team_id,
        work_items.work_item_id,
        work_items.owner_person_id as author_person_id,
        human_reviews.actor_person_id as reviewer_person_id,
        {{ week_start('human_reviews.occurred_at') }} as week_start,
        {{ elapsed_hours('work_items.created_at', 'human_reviews.occurred_at') }}
            as pickup_hours
    from work_items
    inner join human_reviews
        on work_items.work_item_id = human_reviews.work_item_id
            and human_reviews.review_number = 1
    where
        work_items.team_id is not null
        and human_reviews.occurred_at >= work_items.created_at

),

contributor_counts as (

    {{ period_contributor_counts('picked_up', ['author_person_id', 'reviewer_person_id']) }}

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('pickup_hours', 0.5) }} as pickup_p50_hours,
        {{ percentile('pickup_hours', 0.85) }} as pickup_p85_hours,
        count(*) as pull_request_count
    from {{ kpi_periods('picked_up') }}
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
        {'kpi_id': 'pr_pickup_time_p50',
         'value': 'pickup_p50_hours', 'sample_size': 'pull_request_count'},
        {'kpi_id': 'pr_pickup_time_p85',
         'value': 'pickup_p85_hours', 'sample_size': 'pull_request_count'},
    ]) }}

)

select * from final
