{#
    Production deployments that caused a failure, per team and reason, over the
    latest 13 weeks: the window of the DORA levels, suppressed with it (the
    engineering delivery page). Every reason has a row, 0 when none.
#}
with dora as (

    select * from {{ ref('fct_dora_team_rolling') }}

),

deployments as (

    select * from {{ ref('fct_deployments') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

latest_week as (

    select max(week_start) as week_start from dora

),

latest as (

    select
        dora.team_id,
        dora.week_start,
        dora.is_suppressed
    from dora
    inner join latest_week
        on dora.week_start = latest_week.week_start
    where dora.window_weeks = 13

),

{# The reasons fct_deployments.failure_reason holds, in the page's order. #}
reasons as (

    select
        'incident' as failure_reason,
        1 as reason_order,
        'an incident was attributed to it' as reason_text

    union all

    select
        'rollback' as failure_reason,
        2 as reason_order,
        'it was rolled back' as reason_text

    union all

    select
        'revert' as failure_reason,
        3 as reason_order,
        'a revert of one of its changes was deployed' as reason_text

    union all

    select
        'hotfix' as failure_reason,
        4 as reason_order,
        'the next deployment shipped a hotfix' as reason_text

),

failed as (

    select
        deployments.team_id,
        deployments.failure_reason,
        count(*) as deployments
    from deployments
    inner join latest
        on deployments.team_id = latest.team_id
    where
        deployments.is_live
        and deployments.has_caused_failure
        and deployments.finished_at >= {{ add_weeks('latest.week_start', -12) }}
        and deployments.finished_at < {{ add_weeks('latest.week_start', 1) }}
    group by deployments.team_id, deployments.failure_reason

),

final as (

    select
        latest.team_id,
        teams.team_name,
        cast(reasons.failure_reason as varchar) as failure_reason,
        reasons.reason_order,
        cast(reasons.reason_text as varchar) as reason_text,
        case when not latest.is_suppressed then coalesce(failed.deployments, 0) end
            as deployments,
        latest.is_suppressed
    from latest
    cross join reasons
    inner join teams
        on latest.team_id = teams.team_id
    left join failed
        on
            latest.team_id = failed.team_id
            and reasons.failure_reason = failed.failure_reason

)

select * from final
