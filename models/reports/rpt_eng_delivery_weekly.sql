{#
    Deployments and lead time for changes per week over all repositories,
    whatever team owns them (the engineering delivery page): what git alone
    can show when no roster names the teams. Per week of the deployment:
    successful production deployments, the days they happened on, and the
    interpolated p50/p85 lead time (first commit -> deployed, the DORA
    marts' lead time) of the pull requests they shipped.

    People behind a week are the distinct authors of those pull requests: the
    roster person when known, else (a git-only repository without a roster)
    the git author's pseudonym of the pull request's earliest authored commit,
    the rule int_pull_requests_unioned uses, with opted-out people left out.
    A week with fewer than k authors keeps its change count and lead times
    empty (is_suppressed); deployment counts stay, as in fct_dora_team_rolling.
#}
{%- set k = kpi_min_group_size() %}

with deployments as (

    select * from {{ ref('fct_deployments') }}

),

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

git_pull_request_commits as (

    select * from {{ ref('stg_git__pull_request_commits') }}

),

git_commits as (

    select * from {{ ref('stg_git__commits') }}

),

accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

live_deployments as (

    select
        deployment_id,
        {{ week_start('finished_at') }} as week_start,
        {{ to_date('finished_at') }} as deployment_date
    from deployments
    where is_live

),

ranked_git_authors as (

    select
        'git:' || git_pull_request_commits.git_pull_request_id as pull_request_id,
        git_commits.author_person_id as author_key,
        row_number() over (
            partition by git_pull_request_commits.git_pull_request_id
            order by git_pull_request_commits.authored_at, git_pull_request_commits.commit_sha
        ) as commit_rank
    from git_pull_request_commits
    inner join git_commits
        on git_pull_request_commits.git_commit_id = git_commits.git_commit_id

),

git_authors as (

    select
        ranked_git_authors.pull_request_id,
        ranked_git_authors.author_key
    from ranked_git_authors
    left join accounts_opted_out
        on
            accounts_opted_out.source_system = 'git'
            and ranked_git_authors.author_key = accounts_opted_out.account_id
    where
        ranked_git_authors.commit_rank = 1
        and accounts_opted_out.account_id is null

),

shipped as (

    select
        live_deployments.week_start,
        pull_requests.pull_request_id,
        pull_requests.cycle_time_hours as lead_time_hours,
        case
            when pull_requests.author_type = 'person' then pull_requests.author_person_id
            when pull_requests.author_type = 'unknown' then 'git:' || git_authors.author_key
        end as author_id
    from pull_requests
    inner join live_deployments
        on pull_requests.deployment_id = live_deployments.deployment_id
    left join git_authors
        on pull_requests.pull_request_id = git_authors.pull_request_id

),

deployment_weeks as (

    select
        week_start,
        count(*) as deployment_count,
        count(distinct deployment_date) as deployment_days
    from live_deployments
    group by week_start

),

change_weeks as (

    select
        week_start,
        count(*) as change_count,
        count(distinct author_id) as contributor_count,
        {{ percentile('lead_time_hours', 0.5) }} as lead_time_p50_hours,
        {{ percentile('lead_time_hours', 0.85) }} as lead_time_p85_hours
    from shipped
    group by week_start

),

flagged as (

    select
        deployment_weeks.week_start,
        deployment_weeks.deployment_count,
        deployment_weeks.deployment_days,
        change_weeks.change_count,
        change_weeks.lead_time_p50_hours,
        change_weeks.lead_time_p85_hours,
        coalesce(change_weeks.contributor_count, 0) as contributor_count,
        coalesce(change_weeks.contributor_count, 0) < {{ k }} as is_suppressed
    from deployment_weeks
    left join change_weeks
        on deployment_weeks.week_start = change_weeks.week_start

),

final as (

    select
        week_start,
        deployment_count,
        deployment_days,
        case when not is_suppressed then change_count end as change_count,
        case when not is_suppressed then lead_time_p50_hours end as lead_time_p50_hours,
        case when not is_suppressed then lead_time_p85_hours end as lead_time_p85_hours,
        contributor_count,
        is_suppressed
    from flagged

)

select * from final
