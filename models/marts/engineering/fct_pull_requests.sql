{#
    One row per pull request (GitHub and git-only repositories) with its flow
    times (KPI_DEFINITIONS.md, Engineering), all calendar hours; an interval
    that would be negative (clock skew) or lacks an end is null, never zero.

    - coding = opened - earliest commit authored; pickup = first human review
      - opened; review = merged - first human review; deploy = deployed -
      merged. A PR still a draft has no coding or pickup time yet (the moment
      it was marked ready is not collected, so a PR that WAS a draft measures
      from opened).
    - shipped by: the first successful production deployment of the same
      repository that contains the merge commit, i.e. whose credit window
      (int_deployments_unioned) holds the merge time.
    - cycle = earliest commit -> deployed; -> merged only when the repository
      has no production deployment data at all (cycle_time_basis says which).
    - reverted: GitHub revert PRs revert the latest non-revert PR of the
      repository merged before the revert was opened (no link is collected);
      git revert commits name the reverted number. reverted_at is when the
      first revert was merged (committed, for git).
#}
with pull_requests as (

    select * from {{ ref('int_pull_requests_unioned') }}

),

deployments as (

    select * from {{ ref('int_deployments_unioned') }}

),

git_commits as (

    select * from {{ consented(ref('stg_git__commits'), 'author_person_id') }}

),

live_deployments as (

    select * from deployments
    where is_live

),

deployed_repositories as (

    select distinct
        source_system,
        repository_name
    from live_deployments

),

shipped as (

    select
        pull_requests.pull_request_id,
        live_deployments.deployment_id,
        live_deployments.finished_at as deployed_at
    from pull_requests
    inner join live_deployments
        on pull_requests.source_system = live_deployments.source_system
            and pull_requests.repository_name = live_deployments.repository_name
            and pull_requests.merged_at > live_deployments.credit_window_start_at
            and pull_requests.merged_at <= live_deployments.head_at

),

github_revert_candidates as (

    select
        reverted.pull_request_id,
        reverts.pull_request_id as reverted_by_pull_request_id,
        reverts.merged_at as reverted_at,
        row_number() over (
            partition by reverts.pull_request_id
            order by reverted.merged_at desc, reverted.pull_request_id desc
        ) as candidate_rank
    from pull_requests as reverts
    inner join pull_requests as reverted
        on reverts.repository_name = reverted.repository_name
            and reverts.opened_at > reverted.merged_at
    where
        reverts.source_system = 'github'
        and reverted.source_system = 'github'
        and reverts.is_revert
        and reverts.merged_at is not null
        and not reverted.is_revert

),

git_reverts as (

    select
        reverted.pull_request_id,
        cast(null as varchar) as reverted_by_pull_request_id,
        git_commits.committed_at as reverted_at
    from git_commits
    inner join pull_requests as reverted
        on git_commits.repository_name = reverted.repository_name
            and git_commits.reverted_pull_request_number = reverted.pull_request_number
    where
        reverted.source_system = 'git'
        and git_commits.is_revert
        and git_commits.committed_at >= reverted.merged_at

),

all_reverts as (

    select
        pull_request_id,
        reverted_by_pull_request_id,
        reverted_at
    from github_revert_candidates
    where candidate_rank = 1

    union all

    select * from git_reverts

),

first_reverts as (

    select
        pull_request_id,
        min(reverted_at) as reverted_at,
        min(reverted_by_pull_request_id) as reverted_by_pull_request_id
    from all_reverts
    group by pull_request_id

),

joined as (

    select
        pull_requests.*,
        shipped.deployment_id,
        shipped.deployed_at,
        deployed_repositories.repository_name is not null as has_deployment_data,
        first_reverts.reverted_at,
        first_reverts.reverted_by_pull_request_id
    from pull_requests
    left join shipped
        on pull_requests.pull_request_id = shipped.pull_request_id
    left join deployed_repositories
        on pull_requests.source_system = deployed_repositories.source_system
            and pull_requests.repository_name = deployed_repositories.repository_name
    left join first_reverts
        on pull_requests.pull_request_id = first_reverts.pull_request_id

),

measured as (

    select
        *,
        case
            when deployed_at is not null then 'deployed'
            when merged_at is not null and not has_deployment_data then 'merged'
        end as cycle_time_basis,
        case
            when deployed_at is not null then deployed_at
            when not has_deployment_data then merged_at
        end as cycle_end_at
    from joined

),

final as (

    select
        cast(pull_request_id as varchar) as pull_request_id,
        cast(source_system as varchar) as source_system,
        cast(work_item_id as varchar) as work_item_id,
        cast(repository_name as varchar) as repository_name,
        cast(service_name as varchar) as service_name,
        cast(pull_request_number as bigint) as pull_request_number,
        cast(team_id as varchar) as team_id,
        cast(author_person_id as varchar) as author_person_id,
        cast(author_type as varchar) as author_type,
        cast(pull_request_status as varchar) as pull_request_status,
        cast(is_draft as boolean) as is_draft,
        cast(is_revert as boolean) as is_revert,
        cast(is_hotfix as boolean) as is_hotfix,
        cast(has_review_data as boolean) as has_review_data,
        cast(lines_changed as bigint) as lines_changed,
        cast(size_label as varchar) as size_bucket,
        cast(first_reviewer_type as varchar) as first_reviewer_type,
        cast(
            case
                when has_review_data and merged_at is not null
                    then first_review_at is null
            end as boolean
        ) as is_merged_without_review,
        cast(first_commit_at as timestamp) as first_commit_at,
        cast(opened_at as timestamp) as opened_at,
        cast(first_review_at as timestamp) as first_review_at,
        cast(merged_at as timestamp) as merged_at,
        cast(deployment_id as varchar) as deployment_id,
        cast(deployed_at as timestamp) as deployed_at,
        cast(
            case
                when not is_draft and opened_at >= first_commit_at
                    then {{ elapsed_hours('first_commit_at', 'opened_at') }}
            end as float8
        ) as coding_time_hours,
        cast(
            case
                when not is_draft and first_review_at >= opened_at
                    then {{ elapsed_hours('opened_at', 'first_review_at') }}
            end as float8
        ) as pickup_time_hours,
        cast(
            case
                when merged_at >= first_review_at
                    then {{ elapsed_hours('first_review_at', 'merged_at') }}
            end as float8
        ) as review_time_hours,
        cast(null as float8) as review_latency_hours,
        cast(
            case
                when deployed_at >= merged_at
                    then {{ elapsed_hours('merged_at', 'deployed_at') }}
            end as float8
        ) as deploy_time_hours,
        cast(
            case
                when cycle_end_at >= first_commit_at
                    then {{ elapsed_hours('first_commit_at', 'cycle_end_at') }}
            end as float8
        ) as cycle_time_hours,
        cast(cycle_time_basis as varchar) as cycle_time_basis,
        cast(reverted_at is not null as boolean) as is_reverted,
        cast(reverted_at as timestamp) as reverted_at,
        cast(reverted_by_pull_request_id as varchar) as reverted_by_pull_request_id
    from measured

)

select * from final
