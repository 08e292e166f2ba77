{#
    One row per deployment: every GitHub deployment (any environment, any
    result) and every release tag of a git-only repository (a production
    deployment that succeeded when tagged).

    The chain: the successful production deployments of one repository to
    one environment, in the order they finished, whichever pipeline or
    workflow made them (two pipelines deploying to `production` are one
    chain; `production` and `prod-eu` are two). previous_deployment_id is the
    previous link of that chain.

    Git release tags are credited by ancestry (fct_pull_requests: the first
    release tag whose commit contains the merge commit), so they need no
    window: their credit_window_start_at is null and head_at is the tagged
    commit's time.

    GitHub deployments are credited by time, because the GitHub API gives no
    commit ancestry. head_at is how far the deployment reaches in the
    repository's merges: the merge time of the pull request whose merge
    commit it deploys (when the commit is no known merge commit, the
    deployment's creation: it was cut from the branch head then). A
    deployment contains every change merged at or before its head_at, and is
    credited with those merged after credit_window_start_at: the furthest
    head_at of the earlier links of its chain. So a redeploy of an old commit
    (or a rollback: an older head) is credited with nothing, and a change is
    credited once, to the first deployment that contains it (fct_pull_requests
    takes the earliest when two environments' windows hold it). The FIRST link
    of a chain starts its window at the repository's first observed
    deployment activity (its earliest deployment in any environment or
    result), not at the start of history: what it shipped beyond that is
    unknown.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

github_deployments as (

    select * from {{ consented(
        ref('stg_github__deployments'),
        'creator_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

github_deployment_statuses as (

    select * from {{ ref('stg_github__deployment_statuses') }}

),

github_pull_requests as (

    select * from {{ consented(
        ref('stg_github__pull_requests'),
        'author_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

production_deployments as (

    select * from {{ ref('int_production_deployments') }}

),

environments as (

    select * from {{ ref('environments') }}

),

git_tags as (

    select * from {{ consented(
        ref('stg_git__tags'),
        'tagger_person_id',
        source_system='git',
        opted_out='accounts_opted_out'
    ) }}

),

git_commits as (

    select * from {{ consented(
        ref('stg_git__commits'),
        'author_person_id',
        source_system='git',
        opted_out='accounts_opted_out'
    ) }}

),

status_ranked as (

    select
        deployment_id,
        status_state,
        created_at,
        row_number() over (
            partition by deployment_id
            order by created_at desc, deployment_status_id desc
        ) as status_rank
    from github_deployment_statuses

),

status_summary as (

    select
        deployment_id,
        min(case when status_state = 'success' then created_at end) as succeeded_at,
        max(case when status_rank = 1 then status_state end) as last_state,
        max(case when status_state in ('failure', 'error') then created_at end)
            as failed_at
    from status_ranked
    group by deployment_id

),

merge_heads as (

    select
        repository_name,
        merge_commit_sha,
        min(merged_at) as merged_at
    from github_pull_requests
    where merged_at is not null and merge_commit_sha is not null
    group by repository_name, merge_commit_sha

),

github_rows as (

    select
        'github:' || cast(github_deployments.deployment_id as varchar) as deployment_id,
        github_deployments.deployment_id as source_deployment_id,
        'github' as source_system,
        github_deployments.repository_name,
        github_deployments.environment_name,
        coalesce(environments.is_production, false) as is_production,
        case
            when status_summary.succeeded_at is not null then 'success'
            else coalesce(status_summary.last_state, 'pending')
        end as result,
        coalesce(lower(github_deployments.deployment_task), 'deploy') = 'deploy:rollback'
            as is_rollback,
        coalesce(production_deployments.is_rolled_back, false) as is_rolled_back,
        github_deployments.commit_sha,
        github_deployments.created_at,
        coalesce(status_summary.succeeded_at, status_summary.failed_at) as finished_at,
        coalesce(merge_heads.merged_at, github_deployments.created_at) as head_at
    from github_deployments
    left join environments
        on github_deployments.environment_name = environments.environment_name
    left join status_summary
        on github_deployments.deployment_id = status_summary.deployment_id
    left join production_deployments
        on github_deployments.deployment_id = production_deployments.deployment_id
    left join merge_heads
        on github_deployments.repository_name = merge_heads.repository_name
            and github_deployments.commit_sha = merge_heads.merge_commit_sha

),

git_rows as (

    select
        'git:' || git_tags.git_tag_id as deployment_id,
        cast(null as bigint) as source_deployment_id,
        'git' as source_system,
        git_tags.repository_name,
        'production' as environment_name,
        true as is_production,
        'success' as result,
        false as is_rollback,
        false as is_rolled_back,
        git_tags.commit_sha,
        git_tags.tagged_at as created_at,
        git_tags.tagged_at as finished_at,
        coalesce(git_commits.committed_at, git_tags.tagged_at) as head_at
    from git_tags
    left join git_commits
        on git_tags.git_commit_id = git_commits.git_commit_id

),

unioned as (

    select * from github_rows

    union all

    select * from git_rows

),

first_activity as (

    select
        source_system,
        repository_name,
        min(created_at) as first_activity_at
    from unioned
    group by source_system, repository_name

),

live as (

    select
        deployment_id,
        lag(deployment_id) over (
            partition by source_system, repository_name, environment_name
            order by finished_at, deployment_id
        ) as previous_deployment_id,
        max(head_at) over (
            partition by source_system, repository_name, environment_name
            order by finished_at, deployment_id
            rows between unbounded preceding and 1 preceding
        ) as previous_head_at
    from unioned
    where is_production and result = 'success'

),

final as (

    select
        unioned.deployment_id,
        unioned.source_deployment_id,
        unioned.source_system,
        unioned.repository_name,
        lower(
            case
                when strpos(unioned.repository_name, '/') > 0
                    then split_part(unioned.repository_name, '/', 2)
                else unioned.repository_name
            end
        ) as service_name,
        unioned.environment_name,
        unioned.is_production,
        unioned.result,
        unioned.is_production and unioned.result = 'success' as is_live,
        unioned.is_rollback,
        unioned.is_rolled_back,
        unioned.commit_sha,
        unioned.created_at,
        unioned.finished_at,
        unioned.head_at,
        live.previous_deployment_id,
        live.deployment_id is not null and live.previous_deployment_id is null
            as is_first_of_service,
        case
            when live.deployment_id is not null and unioned.source_system = 'github'
                then coalesce(live.previous_head_at, first_activity.first_activity_at)
        end as credit_window_start_at
    from unioned
    inner join first_activity
        on unioned.source_system = first_activity.source_system
            and unioned.repository_name = first_activity.repository_name
    left join live
        on unioned.deployment_id = live.deployment_id

)

select * from final
