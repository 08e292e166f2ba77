{#
    Support backlog at the end of the week (flow, support), from the daily
    snapshot (int_support_backlog_daily, the unsuppressed rows behind
    fct_support_backlog_daily): the snapshot of the week's LAST day (Sunday,
    UTC; for the current week, the last day the warehouse holds):
    backlog_age_p50 = the interpolated median age of the unsolved cases
    then (hours since created), backlog_over_7_days = how many of them were
    older than 7 days. A week whose last day has no backlog has no row: the
    count is zero-filled by fct_team_kpis_weekly (a count KPI), the age has
    no value. sample_size = unsolved cases, contributor_count = their
    distinct assignees. A longer period (rolling_4_weeks, quarter, baseline)
    reports the backlog at its end: the snapshot of its last week.
#}
with backlog_daily as (

    select * from {{ ref('int_support_backlog_daily') }}

),

last_snapshot as (

    select max(snapshot_date) as last_snapshot_date
    from backlog_daily

),

week_ends as (

    select
        backlog_daily.*,
        {{ week_start('backlog_daily.snapshot_date') }} as week_start
    from backlog_daily
    cross join last_snapshot
    where
        backlog_daily.snapshot_date
        = least(
            cast({{ week_start('backlog_daily.snapshot_date') }} as date) + 6,
            last_snapshot.last_snapshot_date
        )

),

{# A period's backlog is the one at its end: the snapshot of its last week. #}
period_ends as (

    select * from {{ kpi_periods('week_ends', at_period_end=true) }}

),

final as (

    {{ kpi_rows('period_ends', [
        {'kpi_id': 'backlog_age_p50', 'value': 'backlog_age_p50_hours',
         'sample_size': 'backlog_count'},
        {'kpi_id': 'backlog_over_7_days', 'value': 'aged_over_7_days_count',
         'sample_size': 'backlog_count'},
    ]) }}

)

select * from final
