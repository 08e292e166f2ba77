{#
    Nudge rule pr_review_wait (docs/nudges.md): an open pull request (not a
    draft) that nobody has reviewed yet, waiting longer than the team's review
    SLA (seed nudge_rules threshold, calendar hours) since review was first
    requested, else since it was ready, else since it was opened. "Now" is the
    data's as-of time of its source (kpi_base_data_as_of, pinned by var
    as_of_utc). first_seen_at is the moment the wait passed the SLA.
#}
with pull_requests as (

    select * from {{ ref('fct_pull_requests') }}
    where pull_request_status = 'open' and first_review_at is null

),

team_rules as (

    select * from {{ ref('nudge_base_team_rules') }}
    where rule_id = 'pr_review_wait' and is_enabled

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}

),

waiting as (

    select
        pull_requests.team_id,
        pull_requests.author_person_id as owner_person_id,
        pull_requests.work_item_id,
        pull_requests.source_system,
        pull_requests.repository_name || '#'
        || cast(pull_requests.pull_request_number as varchar) as subject_ref,
        coalesce(
            pull_requests.first_requested_review_at,
            pull_requests.ready_at,
            pull_requests.opened_at
        ) as waiting_since_at,
        data_as_of.as_of_at
    from pull_requests
    inner join data_as_of
        on pull_requests.source_system = data_as_of.source_system
    where pull_requests.team_id is not null

),

flagged as (

    select
        team_rules.rule_id,
        waiting.team_id,
        waiting.owner_person_id,
        'pull_request' as subject_type,
        waiting.work_item_id as subject_id,
        waiting.source_system,
        waiting.subject_ref,
        'review_wait_over_sla' as reason_code,
        'waiting for a first review longer than the team''s review SLA' as reason,
        team_rules.severity,
        {{ elapsed_hours('waiting.waiting_since_at', 'waiting.as_of_at') }} as wait_hours,
        team_rules.threshold,
        team_rules.threshold_unit,
        {{ add_hours('waiting.waiting_since_at', 'team_rules.threshold') }} as first_seen_at,
        waiting.as_of_at,
        team_rules.notify_owner,
        team_rules.repeat_after_hours,
        team_rules.stop_after_hours
    from waiting
    inner join team_rules
        on waiting.team_id = team_rules.team_id
    where {{ elapsed_hours('waiting.waiting_since_at', 'waiting.as_of_at') }}
        > team_rules.threshold

),

final as (

    {{ nudge_candidate_rows('flagged') }}

)

select * from final
