{#
    What changed once a team started using Outcomes (docs/scorecards.md#roi-over-a-rollout):
    one row per team of seed team_rollouts and KPI of var
    rollout_impact_kpis that has a published weekly value around the date,
    with the mean of its weekly values before and after, the difference and
    a 95% interval for it.

    - Before: the var rollout_window_weeks (default 8) ISO weeks ending the
      week before the rollout date's week; after: as many weeks starting the
      week after it. The rollout week itself is in neither: the team was
      setting up. A window ends at the data: a recent rollout has fewer
      weeks after.
    - Only published weekly cells (fct_team_kpis_weekly, not suppressed)
      count, so nothing here is derived from a cell the privacy rule hides.
      The mean of weekly values (a week's median cycle time, a week's CSAT)
      is the unit of comparison: the weeks are the samples whose spread
      gives the uncertainty.
    - The interval is Welch's: the difference of the means plus or minus t
      times sqrt(s_before^2 / n_before + s_after^2 / n_after), t the 97.5th
      percentile of Student's t with min(n_before, n_after) - 1 degrees of
      freedom (the conservative choice; seed student_t_quantiles, 1.96
      beyond 30). Two weeks or more on each side are needed for an interval.
    - Verdict: improved or worsened when the interval excludes zero (better
      follows the catalog's direction), no_clear_change when it holds zero,
      too_few_weeks without an interval. A before/after difference is not a
      proof of cause: the page says so.
#}
{%- set impact_kpis = var('rollout_impact_kpis', [
    'task_cycle_time_p50', 'backlog_age_p50', 'meeting_hours_per_person',
    'after_hours_meeting_hours_per_person', 'csat']) %}
{%- set window_weeks = var('rollout_window_weeks', 8) | int %}
{{ scorecard_check_team_rollouts(
    ref('team_rollouts'), ref('dim_teams'), ref('kpi_catalog'), impact_kpis) }}

with rollouts as (

    select * from {{ ref('team_rollouts') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

weekly as (

    select * from {{ ref('fct_team_kpis_weekly') }}
    where kpi_id in (
            '{{ impact_kpis | join("', '") }}'  -- noqa: LT05
        )
        and not is_suppressed
        and value is not null

),

kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

t_quantiles as (

    select * from {{ ref('student_t_quantiles') }}

),

team_rollouts as (

    select
        teams.team_id,
        cast(trim(rollouts.rollout_date) as date) as rollout_date,
        {{ week_start('cast(trim(rollouts.rollout_date) as date)') }} as rollout_week
    from rollouts
    inner join teams
        on trim(rollouts.team_id) = teams.team_id

),

windowed as (

    select
        team_rollouts.team_id,
        team_rollouts.rollout_date,
        team_rollouts.rollout_week,
        weekly.kpi_id,
        weekly.week_start,
        weekly.value,
        case
            when weekly.week_start < team_rollouts.rollout_week then 'before'
            else 'after'
        end as rollout_window
    from team_rollouts
    inner join weekly
        on team_rollouts.team_id = weekly.team_id
    where weekly.week_start >= {{ add_days('team_rollouts.rollout_week', -7 * window_weeks) }}
        and weekly.week_start <= {{ add_days('team_rollouts.rollout_week', 7 * window_weeks) }}
        and weekly.week_start != team_rollouts.rollout_week

),

window_stats as (

    select
        team_id,
        rollout_date,
        kpi_id,
        count(case when rollout_window = 'before' then 1 end) as before_weeks,
        avg(case when rollout_window = 'before' then value end) as before_mean,
        var_samp(case when rollout_window = 'before' then value end) as before_variance,
        min(case when rollout_window = 'before' then week_start end) as before_start,
        max(case when rollout_window = 'before' then week_start end) as before_last_week,
        count(case when rollout_window = 'after' then 1 end) as after_weeks,
        avg(case when rollout_window = 'after' then value end) as after_mean,
        var_samp(case when rollout_window = 'after' then value end) as after_variance,
        min(case when rollout_window = 'after' then week_start end) as after_start,
        max(case when rollout_window = 'after' then week_start end) as after_last_week
    from windowed
    group by team_id, rollout_date, kpi_id

),

compared as (

    select
        window_stats.*,
        kpi_catalog.kpi_name,
        kpi_catalog.unit,
        kpi_catalog.direction,
        window_stats.after_mean - window_stats.before_mean as difference,
        case
            when window_stats.before_weeks >= 2 and window_stats.after_weeks >= 2
                then sqrt(
                        window_stats.before_variance / window_stats.before_weeks
                        + window_stats.after_variance / window_stats.after_weeks
                    )
        end as standard_error,
        case
            when window_stats.before_weeks >= 2 and window_stats.after_weeks >= 2
                then coalesce(t_quantiles.t_975, 1.96)
        end as t_value
    from window_stats
    inner join kpi_catalog
        on window_stats.kpi_id = kpi_catalog.kpi_id
    left join t_quantiles
        on t_quantiles.degrees_of_freedom
            = least(window_stats.before_weeks, window_stats.after_weeks) - 1

),

bounded as (

    select
        *,
        difference - t_value * standard_error as difference_low,
        difference + t_value * standard_error as difference_high
    from compared

),

final as (

    select
        cast({{ stable_id('team_id', 'kpi_id') }} as varchar) as team_rollout_kpi_id,
        cast(team_id as varchar) as team_id,
        cast(rollout_date as date) as rollout_date,
        cast(kpi_id as varchar) as kpi_id,
        cast(kpi_name as varchar) as kpi_name,
        cast(unit as varchar) as unit,
        cast(direction as varchar) as direction,
        cast(before_start as date) as before_start,
        cast({{ add_days('before_last_week', 6) }} as date) as before_end,
        cast(before_weeks as integer) as before_weeks,
        cast(before_mean as float8) as before_mean,
        cast(after_start as date) as after_start,
        cast({{ add_days('after_last_week', 6) }} as date) as after_end,
        cast(after_weeks as integer) as after_weeks,
        cast(after_mean as float8) as after_mean,
        cast(difference as float8) as difference,
        cast(
            case when before_mean != 0 then difference / abs(before_mean) end as float8
        ) as relative_difference,
        cast(difference_low as float8) as difference_low,
        cast(difference_high as float8) as difference_high,
        cast(
            case
                when difference_low is null then 'too_few_weeks'
                when difference_low > 0 and direction = 'higher_is_better' then 'improved'
                when difference_low > 0 then 'worsened'
                when difference_high < 0 and direction = 'higher_is_better' then 'worsened'
                when difference_high < 0 then 'improved'
                else 'no_clear_change'
            end as varchar
        ) as verdict
    from bounded

)

select * from final
