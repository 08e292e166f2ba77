{#
    The nudge rules' settings for every team (seed nudge_rules, docs/nudges.md):
    a team's own row of a rule when the seed has one, else the rule's `*` row.
    One row per rule and team; the rule models join it on both.
#}
with rules as (

    select * from {{ ref('nudge_rules') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

defaults as (

    select * from rules
    where team_id = '*'

),

resolved as (

    select
        defaults.rule_id,
        teams.team_id,
        coalesce(overrides.is_enabled, defaults.is_enabled) as is_enabled,
        coalesce(overrides.threshold, defaults.threshold) as threshold,
        coalesce(overrides.threshold_unit, defaults.threshold_unit) as threshold_unit,
        coalesce(overrides.severity, defaults.severity) as severity,
        coalesce(overrides.notify_owner, defaults.notify_owner) as notify_owner,
        coalesce(overrides.repeat_after_hours, defaults.repeat_after_hours)
            as repeat_after_hours,
        case
            when overrides.rule_id is not null then overrides.stop_after_hours
            else defaults.stop_after_hours
        end as stop_after_hours
    from defaults
    cross join teams
    left join rules as overrides
        on defaults.rule_id = overrides.rule_id
            and teams.team_id = overrides.team_id

),

final as (

    select
        {{ stable_id('rule_id', 'team_id') }} as team_rule_id,
        rule_id,
        team_id,
        is_enabled,
        threshold,
        threshold_unit,
        severity,
        notify_owner,
        repeat_after_hours,
        stop_after_hours
    from resolved

)

select * from final
