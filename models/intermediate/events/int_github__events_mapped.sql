{#
    GitHub activity as canonical events: pull requests (pr.opened, pr.reviewed,
    pr.merged, pr.closed), production deployments (deploy.succeeded,
    deploy.failed) and CI runs (ci.succeeded, ci.failed). Commits are not
    events. Who merged or closed a pull request is not collected: those events
    have actor_type unknown.
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

reviews as (

    select * from {{ consented(
        ref('stg_github__reviews'),
        'reviewer_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

deployments as (

    select * from {{ consented(
        ref('stg_github__deployments'),
        'creator_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

deployment_statuses as (

    select * from {{ ref('stg_github__deployment_statuses') }}

),

workflow_runs as (

    select * from {{ consented(
        ref('stg_github__workflow_runs'),
        'actor_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

accounts as (

    select * from {{ ref('int_accounts_mapped') }}
    where source_system = 'github'

),

environments as (

    select * from {{ ref('environments') }}

),

{# A deployment's owner: the author of the pull request it ships (merge commit). #}
deployed_pull_requests as (

    select
        deployments.deployment_id,
        pull_requests.author_account_id,
        row_number() over (
            partition by deployments.deployment_id
            order by pull_requests.merged_at desc, pull_requests.pull_request_id asc
        ) as pull_request_rank
    from deployments
    inner join pull_requests
        on deployments.repository_name = pull_requests.repository_name
            and deployments.commit_sha = pull_requests.merge_commit_sha

),

production_deployment_outcomes as (

    select
        deployment_statuses.deployment_status_id,
        deployment_statuses.created_at,
        deployments.deployment_id,
        deployments.creator_account_id,
        deployed_pull_requests.author_account_id as owner_account_id,
        case
            when deployment_statuses.status_state = 'success' then 'deploy.succeeded'
            else 'deploy.failed'
        end as event_type
    from deployment_statuses
    inner join deployments
        on deployment_statuses.deployment_id = deployments.deployment_id
    inner join environments
        on deployments.environment_name = environments.environment_name
    left join deployed_pull_requests
        on deployments.deployment_id = deployed_pull_requests.deployment_id
            and deployed_pull_requests.pull_request_rank = 1
    where
        environments.is_production
        and deployment_statuses.status_state in ('success', 'failure', 'error')

),

events as (

    select
        {{ stable_id("'github'", "'pr.opened'", 'pull_request_id') }} as event_id,
        'pr.opened' as event_type,
        created_at as occurred_at,
        'github:pull_request:' || cast(pull_request_id as varchar) as work_item_id,
        'pull_request' as work_item_type,
        author_account_id as actor_account_id,
        cast(null as varchar) as owner_account_id
    from pull_requests

    union all

    {# A review by the author is not a review; pending reviews are not submitted. #}
    select
        {{ stable_id("'github'", "'pr.reviewed'", 'reviews.review_id') }} as event_id,
        'pr.reviewed' as event_type,
        reviews.submitted_at as occurred_at,
        'github:pull_request:' || cast(reviews.pull_request_id as varchar) as work_item_id,
        'pull_request' as work_item_type,
        reviews.reviewer_account_id as actor_account_id,
        cast(null as varchar) as owner_account_id
    from reviews
    inner join pull_requests
        on reviews.pull_request_id = pull_requests.pull_request_id
    where
        reviews.review_state <> 'pending'
        and reviews.reviewer_account_id is distinct from pull_requests.author_account_id

    union all

    select
        {{ stable_id("'github'", "'pr.merged'", 'pull_request_id') }} as event_id,
        'pr.merged' as event_type,
        merged_at as occurred_at,
        'github:pull_request:' || cast(pull_request_id as varchar) as work_item_id,
        'pull_request' as work_item_type,
        cast(null as varchar) as actor_account_id,
        cast(null as varchar) as owner_account_id
    from pull_requests
    where merged_at is not null

    union all

    select
        {{ stable_id("'github'", "'pr.closed'", 'pull_request_id') }} as event_id,
        'pr.closed' as event_type,
        closed_at as occurred_at,
        'github:pull_request:' || cast(pull_request_id as varchar) as work_item_id,
        'pull_request' as work_item_type,
        cast(null as varchar) as actor_account_id,
        cast(null as varchar) as owner_account_id
    from pull_requests
    where pull_request_status = 'closed' and closed_at is not null

    union all

    select
        {{ stable_id("'github'", 'event_type', 'deployment_status_id') }} as event_id,
        event_type,
        created_at as occurred_at,
        'github:deployment:' || cast(deployment_id as varchar) as work_item_id,
        'deployment' as work_item_type,
        creator_account_id as actor_account_id,
        owner_account_id
    from production_deployment_outcomes

    union all

    select
        {{ stable_id("'github'", "'ci'", 'workflow_run_id') }} as event_id,
        case when conclusion = 'success' then 'ci.succeeded' else 'ci.failed' end
            as event_type,
        completed_at as occurred_at,
        'github:ci_run:' || cast(workflow_run_id as varchar) as work_item_id,
        'ci_run' as work_item_type,
        actor_account_id,
        actor_account_id as owner_account_id
    from workflow_runs
    where
        completed_at is not null
        and conclusion in ('success', 'failure', 'timed_out', 'startup_failure')

),

final as (

    select
        events.event_id,
        events.event_type,
        events.occurred_at,
        'github' as source_system,
        events.work_item_id,
        events.work_item_type,
        actors.person_id as actor_person_id,
        coalesce(actors.actor_type, 'unknown') as actor_type,
        owners.person_id as work_item_owner_person_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state,
        cast(null as float8) as amount
    from events
    left join accounts as actors
        on events.actor_account_id = actors.account_id
    left join accounts as owners
        on events.owner_account_id = owners.account_id

)

select * from final
