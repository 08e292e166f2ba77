{#
    One row per pull request from GitHub and from git-only repositories
    (raw_git: merge and squash commits naming a pull request), with the
    moments the engineering marts measure. Only GitHub has opened time,
    drafts, sizes and reviews: git rows carry null there and
    has_review_data false, never zero.

    Reviews (docs/kpi-definitions.md#pr_pickup_time_p50): a submitted (not pending)
    review by someone other than the author, and for a merged pull request
    only one submitted at or before the merge (a review after the merge did
    not gate the change: such a PR is merged without review). Bots never
    count as reviewers: first_review_at is the first human review, while
    first_reviewer_type says who reviewed first (human, bot or none).

    Ready and review requests (GitHub timeline events): ready_at is when the
    PR became reviewable, its opening or, for a PR opened as a draft, its
    first ready_for_review event (null while still a draft).
    review_requested_at is the first review request, or ready_at when the
    request was made while the PR was still a draft. first_requested_review_at
    is the first counted human review (rules above) by an account that was
    requested as a reviewer of the PR, submitted at or after the request
    (docs/kpi-definitions.md#fct_pull_requests).

    Git: a squash commit is authored when it is made, so a squash PR's first
    commit is unknown (null), not the merge. release_deployment_id is the
    release tag deployment that first contains the merge commit (git
    ancestry, raw_git.commits.first_release_tag_name); null for GitHub rows.

    Reverts: the number of the reverted PR, exactly as the revert names it:
    GitHub's `Reverts owner/repo#N` body (extracted at ingest; the body never
    lands) or a git revert commit's `Revert "... (#N)"`.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

github_pull_requests as (

    select * from {{ consented(
        ref('stg_github__pull_requests'),
        'author_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

github_reviews as (

    select * from {{ consented(
        ref('stg_github__reviews'),
        'reviewer_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

github_commits as (

    select * from {{ consented(
        ref('stg_github__commits'),
        ['author_account_id', 'author_person_id'],
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

{# A review request names the requested reviewer: theirs to opt out of. #}
github_pull_request_events as (

    select * from {{ consented(
        ref('stg_github__pull_request_events'),
        'requested_reviewer_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

accounts as (

    select * from {{ ref('int_accounts_mapped') }}
    where source_system = 'github'

),

work_items as (

    select * from {{ ref('int_work_items') }}
    where work_item_type = 'pull_request'

),

git_pull_requests as (

    select * from {{ ref('stg_git__pull_requests') }}

),

git_pull_request_commits as (

    select * from {{ ref('stg_git__pull_request_commits') }}

),

git_commits as (

    select * from {{ consented(
        ref('stg_git__commits'),
        'author_person_id',
        source_system='git',
        opted_out='accounts_opted_out'
    ) }}

),

{# A git PR's team: its author's when it merged (docs/architecture.md#team-history). #}
team_spells as (

    select * from {{ ref('int_people_team_history') }}

),

github_first_commits as (

    select
        pull_request_id,
        min(authored_at) as first_commit_at
    from github_commits
    group by pull_request_id

),

github_counted_reviews as (

    select
        github_reviews.pull_request_id,
        github_reviews.submitted_at,
        github_reviews.review_id,
        github_reviews.reviewer_account_id,
        coalesce(accounts.is_bot, false) as is_bot_review
    from github_reviews
    inner join github_pull_requests
        on github_reviews.pull_request_id = github_pull_requests.pull_request_id
    left join accounts
        on github_reviews.reviewer_account_id = accounts.account_id
    where
        github_reviews.review_state <> 'pending'
        and github_reviews.reviewer_account_id
        is distinct from github_pull_requests.author_account_id
        and (
            github_pull_requests.merged_at is null
            or github_reviews.submitted_at <= github_pull_requests.merged_at
        )

),

github_ready as (

    select
        github_pull_requests.pull_request_id,
        case
            when not github_pull_requests.is_draft
                then coalesce(
                        min(github_pull_request_events.created_at), github_pull_requests.created_at
                    )
        end as ready_at
    from github_pull_requests
    left join github_pull_request_events
        on github_pull_requests.pull_request_id = github_pull_request_events.pull_request_id
            and github_pull_request_events.event_type = 'ready_for_review'
    group by
        github_pull_requests.pull_request_id,
        github_pull_requests.is_draft,
        github_pull_requests.created_at

),

github_review_requests as (

    select
        pull_request_id,
        requested_reviewer_account_id,
        created_at as requested_at
    from github_pull_request_events
    where event_type = 'review_requested' and requested_reviewer_account_id is not null

),

github_requested as (

    select
        github_review_requests.pull_request_id,
        case
            when min(github_review_requests.requested_at) < github_ready.ready_at
                then github_ready.ready_at
            else min(github_review_requests.requested_at)
        end as review_requested_at
    from github_review_requests
    inner join github_ready
        on github_review_requests.pull_request_id = github_ready.pull_request_id
    where github_ready.ready_at is not null
    group by github_review_requests.pull_request_id, github_ready.ready_at

),

github_requested_reviewers as (

    select distinct
        pull_request_id,
        requested_reviewer_account_id
    from github_review_requests

),

github_requested_reviews as (

    select
        github_counted_reviews.pull_request_id,
        min(github_counted_reviews.submitted_at) as first_requested_review_at
    from github_counted_reviews
    inner join github_requested
        on github_counted_reviews.pull_request_id = github_requested.pull_request_id
    inner join github_requested_reviewers
        on github_counted_reviews.pull_request_id = github_requested_reviewers.pull_request_id
            and github_counted_reviews.reviewer_account_id
            = github_requested_reviewers.requested_reviewer_account_id
    where
        not github_counted_reviews.is_bot_review
        and github_counted_reviews.submitted_at >= github_requested.review_requested_at
    group by github_counted_reviews.pull_request_id

),

github_ranked_reviews as (

    select
        pull_request_id,
        submitted_at,
        is_bot_review,
        row_number() over (
            partition by pull_request_id
            order by submitted_at, review_id
        ) as review_number
    from github_counted_reviews

),

github_review_summary as (

    select
        pull_request_id,
        min(case when not is_bot_review then submitted_at end) as first_review_at,
        max(
            case
                when review_number = 1 and is_bot_review then 'bot'
                when review_number = 1 then 'human'
            end
        ) as first_reviewer_type
    from github_ranked_reviews
    group by pull_request_id

),

github_rows as (

    select
        'github:' || cast(github_pull_requests.pull_request_id as varchar)
            as pull_request_id,
        'github' as source_system,
        work_items.work_item_id,
        github_pull_requests.repository_name,
        github_pull_requests.pull_request_number,
        work_items.owner_person_id as author_person_id,
        coalesce(accounts.actor_type, 'unknown') as author_type,
        work_items.team_id,
        github_pull_requests.pull_request_status,
        github_pull_requests.is_draft,
        coalesce(work_items.work_type = 'revert', github_pull_requests.is_revert)
            as is_revert,
        coalesce(work_items.work_type = 'hotfix', false) as is_hotfix,
        github_pull_requests.lines_changed,
        work_items.size_bucket,
        github_pull_requests.merge_commit_sha,
        github_first_commits.first_commit_at,
        github_pull_requests.created_at as opened_at,
        github_ready.ready_at,
        github_requested.review_requested_at,
        github_requested_reviews.first_requested_review_at,
        github_review_summary.first_review_at,
        coalesce(github_review_summary.first_reviewer_type, 'none') as first_reviewer_type,
        github_pull_requests.merged_at,
        github_pull_requests.closed_at,
        github_pull_requests.reverted_pull_request_number,
        cast(null as varchar) as release_deployment_id,
        true as has_review_data
    from github_pull_requests
    left join work_items
        on cast(github_pull_requests.pull_request_id as varchar) = work_items.source_item_id
    left join accounts
        on github_pull_requests.author_account_id = accounts.account_id
    left join github_first_commits
        on github_pull_requests.pull_request_id = github_first_commits.pull_request_id
    left join github_review_summary
        on github_pull_requests.pull_request_id = github_review_summary.pull_request_id
    left join github_ready
        on github_pull_requests.pull_request_id = github_ready.pull_request_id
    left join github_requested
        on github_pull_requests.pull_request_id = github_requested.pull_request_id
    left join github_requested_reviews
        on github_pull_requests.pull_request_id = github_requested_reviews.pull_request_id

),

{# A git pull request's author: the author of its earliest authored commit. #}
git_authors as (

    select
        git_pull_request_commits.git_pull_request_id,
        git_commits.author_person_id,
        row_number() over (
            partition by git_pull_request_commits.git_pull_request_id
            order by git_pull_request_commits.authored_at, git_pull_request_commits.commit_sha
        ) as commit_rank
    from git_pull_request_commits
    inner join git_commits
        on git_pull_request_commits.git_commit_id = git_commits.git_commit_id

),

git_rows as (

    select
        'git:' || git_pull_requests.git_pull_request_id as pull_request_id,
        'git' as source_system,
        cast(null as varchar) as work_item_id,
        git_pull_requests.repository_name,
        git_pull_requests.pull_request_number,
        team_spells.person_id as author_person_id,
        case when team_spells.person_id is not null then 'person' else 'unknown' end
            as author_type,
        team_spells.team_id,
        'merged' as pull_request_status,
        false as is_draft,
        coalesce(merge_commits.is_revert, false) as is_revert,
        false as is_hotfix,
        cast(null as bigint) as lines_changed,
        cast(null as varchar) as size_bucket,
        git_pull_requests.merge_commit_sha,
        {# A squash commit is authored when it is made (at the merge): the
           pull request's own first commit is unknown, not the merge. #}
        case
            when git_pull_requests.merge_method = 'merge' then git_pull_requests.first_authored_at
        end as first_commit_at,
        cast(null as timestamp) as opened_at,
        cast(null as timestamp) as ready_at,
        cast(null as timestamp) as review_requested_at,
        cast(null as timestamp) as first_requested_review_at,
        cast(null as timestamp) as first_review_at,
        cast(null as varchar) as first_reviewer_type,
        git_pull_requests.merged_at,
        git_pull_requests.merged_at as closed_at,
        merge_commits.reverted_pull_request_number,
        case
            when merge_commits.first_release_git_tag_id is not null
                then 'git:' || merge_commits.first_release_git_tag_id
        end as release_deployment_id,
        false as has_review_data
    from git_pull_requests
    left join git_authors
        on git_pull_requests.git_pull_request_id = git_authors.git_pull_request_id
            and git_authors.commit_rank = 1
    left join team_spells
        on git_authors.author_person_id = team_spells.person_id
            and {{ during_spell('team_spells', 'git_pull_requests.merged_at') }}
    left join git_commits as merge_commits
        on git_pull_requests.merge_git_commit_id = merge_commits.git_commit_id

),

unioned as (

    select * from github_rows

    union all

    select * from git_rows

),

final as (

    select
        pull_request_id,
        source_system,
        work_item_id,
        repository_name,
        lower(
            case
                when strpos(repository_name, '/') > 0
                    then split_part(repository_name, '/', 2)
                else repository_name
            end
        ) as service_name,
        pull_request_number,
        author_person_id,
        author_type,
        team_id,
        pull_request_status,
        is_draft,
        is_revert,
        is_hotfix,
        lines_changed,
        size_bucket,
        merge_commit_sha,
        first_commit_at,
        opened_at,
        ready_at,
        review_requested_at,
        first_requested_review_at,
        first_review_at,
        first_reviewer_type,
        merged_at,
        closed_at,
        reverted_pull_request_number,
        release_deployment_id,
        has_review_data
    from unioned

)

select * from final
