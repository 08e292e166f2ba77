{#
    The candidates of one nudge rule (docs/nudges.md) from `flagged`, a CTE with
    one row per subject that meets the rule: rule_id, team_id, owner_person_id,
    subject_type, subject_id, source_system, subject_ref, reason_code, reason,
    severity, wait_hours, threshold, threshold_unit, first_seen_at, as_of_at,
    notify_owner, repeat_after_hours, stop_after_hours (a wait past it is
    stale: no candidate). Each subject goes to its team's channel;
    when the rule says notify_owner and the subject has an owner, also to the
    owner themselves (delivered only if they opted in: outcomes/nudges/).
    nudge_candidate_id is stable across runs for the same recipient, subject and
    reason, so the delivery log recognises a repeat.
#}
{% macro nudge_candidate_rows(flagged) -%}
    {%- set columns -%}
        {{ flagged }}.rule_id,
        {{ flagged }}.subject_type,
        {{ flagged }}.subject_id,
        {{ flagged }}.source_system,
        {{ flagged }}.subject_ref,
        {{ flagged }}.reason_code,
        {{ flagged }}.reason,
        {{ flagged }}.severity,
        cast({{ flagged }}.wait_hours as float8) as wait_hours,
        cast({{ flagged }}.threshold as float8) as threshold,
        {{ flagged }}.threshold_unit,
        {{ flagged }}.first_seen_at,
        {{ flagged }}.as_of_at,
        {{ flagged }}.repeat_after_hours
    {%- endset -%}
    {%- set fresh -%}
        ({{ flagged }}.stop_after_hours is null or {{ flagged }}.wait_hours is null
            or {{ flagged }}.wait_hours <= {{ flagged }}.stop_after_hours)
    {%- endset -%}
    select
        {{ stable_id(
            flagged ~ '.rule_id', "'team'", flagged ~ '.team_id',
            flagged ~ '.subject_id', flagged ~ '.reason_code'
        ) }} as nudge_candidate_id,
        'team' as recipient_type,
        {{ flagged }}.team_id as recipient_team_id,
        cast(null as varchar) as recipient_person_id,
        {{ columns }}
    from {{ flagged }}
    where {{ flagged }}.team_id is not null and {{ fresh }}
    union all
    select
        {{ stable_id(
            flagged ~ '.rule_id', "'person'", flagged ~ '.owner_person_id',
            flagged ~ '.subject_id', flagged ~ '.reason_code'
        ) }} as nudge_candidate_id,
        'person' as recipient_type,
        {{ flagged }}.team_id as recipient_team_id,
        {{ flagged }}.owner_person_id as recipient_person_id,
        {{ columns }}
    from {{ flagged }}
    where
        {{ flagged }}.notify_owner
        and {{ flagged }}.owner_person_id is not null
        and {{ fresh }}
{%- endmacro %}
