{#
    One row per pull request (GitHub and git-only repositories) with its flow
    times (docs/kpi-definitions.md#fct_pull_requests), in calendar hours (`*_hours`) and
    in business hours of the PR's team (`*_business_hours`,
    int_team_business_days); an interval that would be negative (clock skew)
    or lacks an end is null, never zero.

    - coding = ready - earliest commit, where ready is the opening or, for a
      PR opened as a draft, when it was marked ready (null while a draft);
      pickup = first human review - opened (null while a draft); review =
      merged - first human review; deploy = deployed - merged; review latency
      = first review by a requested reviewer - review requested.
    - shipped by: the first successful production deployment of the same
      repository that contains the merge commit. Git: by ancestry, the first
      release tag whose commit contains the merge commit (raw_git computes it
      over every release tag, so the first release in the loaded window gets
      what it shipped, and a tag on another branch gets nothing it lacks).
      GitHub (no ancestry in its API): the deployment whose credit window
      (int_deployments_unioned) holds the merge time, the earliest to finish
      when two environments' windows hold it.
    - cycle = start -> deployed; -> merged only when the repository has no
      production deployment data at all (cycle_time_basis says which). The
      start is the earlier of the earliest commit and the opening: a PR
      opened before its first (rebased, amended) commit starts when opened.
      A git squash PR has no known first commit nor opening: no cycle time.
    - reverted: only by an exact link, the reverted PR number a revert names
      (GitHub `Reverts owner/repo#N`, git `Revert "... (#N)"`) in the same
      repository, merged (committed, for git) after the reverted PR. A revert
      naming nothing reverts nothing known: no guess. reverted_at is when the
      first revert was merged; revert_deployment_id the deployment that
      shipped it (found as for any change; for a git revert commit, by
      ancestry), which fct_deployments compares with the PR's own.
    - business hours: the team's working intervals (time zone, working days
      and hours, holidays) between the two moments; null for PRs without a
      team (bots, authors outside the roster).
#}
{%- set business_moments = [
    'first_commit_at', 'ready_at', 'opened_at', 'first_review_at', 'merged_at',
    'deployed_at', 'cycle_start_at', 'cycle_end_at', 'review_requested_at',
    'first_requested_review_at',
] %}

with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

pull_requests as (

    select * from {{ ref('int_pull_requests_unioned') }}

),

deployments as (

    select * from {{ ref('int_deployments_unioned') }}

),

git_commits as (

    select * from {{ consented(
        ref('stg_git__commits'),
        'author_person_id',
        source_system='git',
        opted_out='accounts_opted_out'
    ) }}

),

team_schedules as (

    select * from {{ ref('int_team_schedules') }}

),

team_business_days as (

    select * from {{ ref('int_team_business_days') }}

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

github_windows as (

    select
        pull_requests.pull_request_id,
        live_deployments.deployment_id,
        live_deployments.finished_at as deployed_at,
        row_number() over (
            partition by pull_requests.pull_request_id
            order by live_deployments.finished_at, live_deployments.deployment_id
        ) as deployment_rank
    from pull_requests
    inner join live_deployments
        on pull_requests.source_system = live_deployments.source_system
            and pull_requests.repository_name = live_deployments.repository_name
            and pull_requests.merged_at > live_deployments.credit_window_start_at
            and pull_requests.merged_at <= live_deployments.head_at
    where pull_requests.source_system = 'github'

),

shipped as (

    select
        pull_request_id,
        deployment_id,
        deployed_at
    from github_windows
    where deployment_rank = 1

    union all

    select
        pull_requests.pull_request_id,
        live_deployments.deployment_id,
        live_deployments.finished_at as deployed_at
    from pull_requests
    inner join live_deployments
        on pull_requests.release_deployment_id = live_deployments.deployment_id
    where pull_requests.source_system = 'git'

),

github_reverts as (

    select
        reverted.pull_request_id,
        reverts.pull_request_id as reverted_by_pull_request_id,
        reverts.merged_at as reverted_at,
        revert_shipped.deployment_id as revert_deployment_id
    from pull_requests as reverts
    inner join pull_requests as reverted
        on reverts.repository_name = reverted.repository_name
            and reverts.reverted_pull_request_number = reverted.pull_request_number
    left join shipped as revert_shipped
        on reverts.pull_request_id = revert_shipped.pull_request_id
    where
        reverts.source_system = 'github'
        and reverted.source_system = 'github'
        and reverts.merged_at >= reverted.merged_at

),

git_reverts as (

    select
        reverted.pull_request_id,
        cast(null as varchar) as reverted_by_pull_request_id,
        git_commits.committed_at as reverted_at,
        revert_releases.deployment_id as revert_deployment_id
    from git_commits
    inner join pull_requests as reverted
        on git_commits.repository_name = reverted.repository_name
            and git_commits.reverted_pull_request_number = reverted.pull_request_number
    left join live_deployments as revert_releases
        on 'git:' || git_commits.first_release_git_tag_id = revert_releases.deployment_id
    where
        reverted.source_system = 'git'
        and git_commits.is_revert
        and git_commits.committed_at >= reverted.merged_at

),

all_reverts as (

    select * from github_reverts

    union all

    select * from git_reverts

),

ranked_reverts as (

    select
        pull_request_id,
        reverted_by_pull_request_id,
        reverted_at,
        revert_deployment_id,
        row_number() over (
            partition by pull_request_id
            order by reverted_at, reverted_by_pull_request_id
        ) as revert_rank
    from all_reverts

),

first_reverts as (

    select * from ranked_reverts
    where revert_rank = 1

),

joined as (

    select
        pull_requests.*,
        shipped.deployment_id,
        shipped.deployed_at,
        deployed_repositories.repository_name is not null as has_deployment_data,
        first_reverts.reverted_at,
        first_reverts.reverted_by_pull_request_id,
        first_reverts.revert_deployment_id
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
        end as cycle_end_at,
        case
            when opened_at < first_commit_at then opened_at
            else coalesce(first_commit_at, opened_at)
        end as cycle_start_at
    from joined

),

{# The PR's measured moments, one row each, located on its team's calendar. #}
moments as (
    {% for moment in business_moments %}
        select
            measured.pull_request_id,
            measured.team_id,
            '{{ moment }}' as moment_name,
            measured.{{ moment }} as moment_at
        from measured
        where measured.team_id is not null and measured.{{ moment }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

located_moments as (

    select
        moments.*,
        {{ to_date(utc_to_local('moments.moment_at', 'team_schedules.time_zone')) }}
            as local_date
    from moments
    inner join team_schedules
        on moments.team_id = team_schedules.team_id

),

positioned_moments as (

    select
        located_moments.pull_request_id,
        located_moments.moment_name,
        {{ business_hours_at('located_moments.moment_at', 'team_business_days') }}
            as business_position
    from located_moments
    inner join team_business_days
        on located_moments.team_id = team_business_days.team_id
            and located_moments.local_date = team_business_days.work_date

),

business_positions as (

    select
        {% for moment in business_moments %}
            max(case when moment_name = '{{ moment }}' then business_position end)
                as {{ moment[:-3] }}_position,
        {% endfor %}
        pull_request_id
    from positioned_moments
    group by pull_request_id

),

positioned as (

    select
        measured.*,
        business_positions.first_commit_position,
        business_positions.ready_position,
        business_positions.opened_position,
        business_positions.first_review_position,
        business_positions.merged_position,
        business_positions.deployed_position,
        business_positions.cycle_start_position,
        business_positions.cycle_end_position,
        business_positions.review_requested_position,
        business_positions.first_requested_review_position
    from measured
    left join business_positions
        on measured.pull_request_id = business_positions.pull_request_id

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
        cast(size_bucket as varchar) as size_bucket,
        cast(first_reviewer_type as varchar) as first_reviewer_type,
        cast(
            case
                when has_review_data and merged_at is not null
                    then first_review_at is null
            end as boolean
        ) as is_merged_without_review,
        cast(first_commit_at as timestamp) as first_commit_at,
        cast(opened_at as timestamp) as opened_at,
        cast(ready_at as timestamp) as ready_at,
        cast(review_requested_at as timestamp) as review_requested_at,
        cast(first_requested_review_at as timestamp) as first_requested_review_at,
        cast(first_review_at as timestamp) as first_review_at,
        cast(merged_at as timestamp) as merged_at,
        cast(deployment_id as varchar) as deployment_id,
        cast(deployed_at as timestamp) as deployed_at,
        cast(
            case
                when ready_at >= first_commit_at
                    then {{ elapsed_hours('first_commit_at', 'ready_at') }}
            end as float8
        ) as coding_time_hours,
        cast(
            case
                when ready_at >= first_commit_at and ready_position >= first_commit_position
                    then ready_position - first_commit_position
            end as float8
        ) as coding_time_business_hours,
        cast(
            case
                when not is_draft and first_review_at >= opened_at
                    then {{ elapsed_hours('opened_at', 'first_review_at') }}
            end as float8
        ) as pickup_time_hours,
        cast(
            case
                when
                    not is_draft
                    and first_review_at >= opened_at
                    and first_review_position >= opened_position
                    then first_review_position - opened_position
            end as float8
        ) as pickup_time_business_hours,
        cast(
            case
                when merged_at >= first_review_at
                    then {{ elapsed_hours('first_review_at', 'merged_at') }}
            end as float8
        ) as review_time_hours,
        cast(
            case
                when merged_at >= first_review_at and merged_position >= first_review_position
                    then merged_position - first_review_position
            end as float8
        ) as review_time_business_hours,
        cast(
            case
                when first_requested_review_at >= review_requested_at
                    then {{ elapsed_hours('review_requested_at', 'first_requested_review_at') }}
            end as float8
        ) as review_latency_hours,
        cast(
            case
                when
                    first_requested_review_at >= review_requested_at
                    and first_requested_review_position >= review_requested_position
                    then first_requested_review_position - review_requested_position
            end as float8
        ) as review_latency_business_hours,
        cast(
            case
                when deployed_at >= merged_at
                    then {{ elapsed_hours('merged_at', 'deployed_at') }}
            end as float8
        ) as deploy_time_hours,
        cast(
            case
                when deployed_at >= merged_at and deployed_position >= merged_position
                    then deployed_position - merged_position
            end as float8
        ) as deploy_time_business_hours,
        cast(
            case
                when cycle_end_at >= cycle_start_at
                    then {{ elapsed_hours('cycle_start_at', 'cycle_end_at') }}
            end as float8
        ) as cycle_time_hours,
        cast(
            case
                when cycle_end_at >= cycle_start_at and cycle_end_position >= cycle_start_position
                    then cycle_end_position - cycle_start_position
            end as float8
        ) as cycle_time_business_hours,
        cast(cycle_time_basis as varchar) as cycle_time_basis,
        cast(reverted_at is not null as boolean) as is_reverted,
        cast(reverted_at as timestamp) as reverted_at,
        cast(reverted_by_pull_request_id as varchar) as reverted_by_pull_request_id,
        cast(revert_deployment_id as varchar) as revert_deployment_id
    from positioned

)

select * from final
