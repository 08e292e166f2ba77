{#
    One row per team and period (kpi_periods: week, rolling_4_weeks, quarter,
    baseline): the people behind the team's changes in the period,
    i.e. the distinct roster authors of pull requests merged into the
    repositories the team owns (int_repository_owners), whatever team the
    author is in. It is the contributor_count of the deployment KPIs
    (deployment_days, change_failure_rate). Bots and authors outside the
    roster are not people and are not counted.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

pull_requests as (

    select * from {{ consented(
        ref('stg_github__pull_requests'),
        'author_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'pull_request'

),

repository_owners as (

    select * from {{ ref('int_repository_owners') }}

),

merged_changes as (

    select
        repository_owners.team_id,
        {{ week_start('pull_requests.merged_at') }} as week_start,
        pull_requests.pull_request_id,
        work_items.owner_person_id as author_person_id
    from pull_requests
    inner join repository_owners
        on pull_requests.repository_name = repository_owners.repository_name
    left join work_items
        on work_items.source_item_id = cast(pull_requests.pull_request_id as varchar)
    where pull_requests.merged_at is not null

),

team_period_rows as (

    select
        team_id,
        period_grain,
        period_start,
        count(*) as merged_pull_request_count,
        count(distinct author_person_id) as contributor_count
    from {{ kpi_periods('merged_changes') }}
    group by team_id, period_grain, period_start

),

final as (

    select
        {{ stable_id('team_id', 'period_grain', 'period_start') }} as team_period_id,
        team_id,
        period_grain,
        period_start,
        merged_pull_request_count,
        contributor_count
    from team_period_rows

)

select * from final
