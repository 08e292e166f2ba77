{#
    The period spine of the KPIs (docs/kpi-definitions.md, "Periods and
    baselines"): one row per team and period the KPIs are published over.
    Every period is a run of whole ISO weeks, so an item belongs to a period
    when its week does, and a period's value is computed from its items:

    - week: each week of the team's active range (kpi_base_team_weeks);
    - rolling_4_weeks: the 4 ISO weeks ending with each such week (the row's
      period_start is the Monday three weeks before it);
    - quarter: the calendar quarters the team's weeks fall in, as the ISO
      weeks whose Thursday is in the quarter (as ISO years take their
      weeks), so each week belongs to exactly one quarter;
    - baseline: the team's first var('scorecard_baseline_weeks') (default 4)
      weeks with data (weeks of its active range, a week without any event
      in the warehouse skipped), or the window of seed
      scorecard_baseline_windows for that team, snapped out to whole weeks.

    is_complete: the period ended on or before the data's as-of day (the
    latest as-of day of any tool, kpi_base_data_as_of); a baseline is complete
    only once it holds all its weeks. member_count: the team's size in the
    period's last week of data, the contributor_count of a zero row.
#}
{%- set baseline_weeks = kpi_baseline_weeks() %}

with team_weeks as (

    select * from {{ ref('kpi_base_team_weeks') }}

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}

),

baseline_windows as (

    select * from {{ ref('scorecard_baseline_windows') }}

),

as_of as (

    select max({{ to_date('as_of_at') }}) as as_of_date
    from data_as_of

),

weeks as (

    select
        team_id,
        'week' as period_grain,
        week_start as period_start,
        cast(week_start + 6 as date) as period_end
    from team_weeks

),

rolling_windows as (

    select
        team_id,
        'rolling_4_weeks' as period_grain,
        cast(week_start - 21 as date) as period_start,
        cast(week_start + 6 as date) as period_end
    from team_weeks

),

team_quarters as (

    select distinct
        team_id,
        {{ kpi_quarter_start('week_start + 3') }} as quarter_start,
        {{ kpi_next_quarter_start('week_start + 3') }} as next_quarter_start
    from team_weeks

),

quarters as (

    select
        team_id,
        'quarter' as period_grain,
        {{ week_start('quarter_start + 3') }} as period_start,
        cast({{ week_start('next_quarter_start + 3') }} - 1 as date) as period_end
    from team_quarters

),

numbered_weeks as (

    select
        team_id,
        week_start,
        row_number() over (partition by team_id order by week_start) as week_number
    from team_weeks

),

first_weeks as (

    select
        team_id,
        min(week_start) as period_start,
        cast(max(week_start) + 6 as date) as period_end,
        count(*) as baseline_week_count
    from numbered_weeks
    where week_number <= {{ baseline_weeks }}
    group by team_id

),

explicit_baselines as (

    select
        team_id,
        {{ week_start('baseline_start') }} as period_start,
        cast({{ week_start('baseline_end') }} + 6 as date) as period_end
    from baseline_windows

),

baselines as (

    select
        first_weeks.team_id,
        'baseline' as period_grain,
        first_weeks.period_start,
        first_weeks.period_end,
        first_weeks.baseline_week_count >= {{ baseline_weeks }} as holds_all_weeks
    from first_weeks
    left join explicit_baselines
        on first_weeks.team_id = explicit_baselines.team_id
    where explicit_baselines.team_id is null

    union all

    select
        team_id,
        'baseline' as period_grain,
        period_start,
        period_end,
        true as holds_all_weeks
    from explicit_baselines

),

periods as (

    select
        team_id,
        period_grain,
        period_start,
        period_end,
        true as holds_all_weeks
    from weeks

    union all

    select
        team_id,
        period_grain,
        period_start,
        period_end,
        true as holds_all_weeks
    from rolling_windows

    union all

    select
        team_id,
        period_grain,
        period_start,
        period_end,
        true as holds_all_weeks
    from quarters

    union all

    select * from baselines

),

sized as (

    select
        periods.team_id,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.holds_all_weeks,
        coalesce(max(team_weeks.member_count), 0) as member_count
    from periods
    left join team_weeks
        on periods.team_id = team_weeks.team_id
            and periods.period_start <= team_weeks.week_start
            and periods.period_end >= team_weeks.week_start
    group by
        periods.team_id,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.holds_all_weeks

),

final as (

    select
        {{ stable_id('sized.team_id', 'sized.period_grain', 'sized.period_start') }}
            as team_period_id,
        cast(sized.team_id as varchar) as team_id,
        cast(sized.period_grain as varchar) as period_grain,
        cast(sized.period_start as date) as period_start,
        cast(sized.period_end as date) as period_end,
        cast(
            ({{ kpi_days_between('sized.period_start', 'sized.period_end') }} + 1) / 7
            as integer
        ) as week_count,
        sized.holds_all_weeks and sized.period_end <= as_of.as_of_date as is_complete,
        cast(sized.member_count as bigint) as member_count
    from sized
    cross join as_of

)

select * from final
