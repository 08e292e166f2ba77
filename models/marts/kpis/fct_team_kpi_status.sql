{#
    The scorecard (docs/scorecards.md): one row per team, KPI of its set
    (dim_team_kpi_sets.is_in_set), period grain and period: every complete
    rolling 4-week period (one per week) and every quarter, from
    fct_team_kpis_by_period, with the team's baseline, its target for the
    quarter the period ends in, the status and, for quarters, where the KPI
    is heading at the current pace.

    - Target: seed scorecard_team_kpis, per team, KPI and quarter; absolute
      (the KPI's unit) or relative to the baseline (-30% = baseline × 0.7).
    - Status: macro scorecard_status. A period is baseline_forming while the
      team's baseline of the KPI is incomplete or had not ended by the
      period's end; a KPI without a baseline row has no data in its window
      (not_enough_data).
    - Scale (value_basis): an additive KPI (a sum, or a count that is not a
      stock measured at the period's end) is shown and compared per week of
      the team's data in the period, so a 4-week value, a quarter, the
      baseline and a target compare; every other KPI as the period's value.
    - Projection (quarter rows): the weeks still to come are taken to go as
      the latest complete rolling 4 weeks in the quarter went: the
      week-weighted mean of the quarter so far and that pace. A complete
      quarter's projection is its value.
    - Cohort: the teams of the same function and the same work type (seed
      team_work_types, edited by the data team; a team not listed is compared
      with the other unlisted teams of its function), the team itself
      excluded, with an unsuppressed value for the same KPI and period: their
      median, lowest and highest value and count. With fewer than 3 such
      teams only the count is shown, so no cell is one or two other teams'
      value. Nothing is ranked.

    A period the team has no row of the KPI for keeps its row, status
    not_enough_data.
#}
{{ scorecard_check_team_work_types(ref('team_work_types'), ref('dim_teams')) }}

with kpi_sets as (

    select * from {{ ref('dim_team_kpi_sets') }}

),

kpi_periods as (

    select * from {{ ref('fct_team_kpis_by_period') }}

),

team_file as (

    select * from {{ ref('scorecard_team_kpis') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

team_work_types as (

    select * from {{ ref('team_work_types') }}

),

{# The cohort of a team: its function and its declared work type, if any. #}
team_cohorts as (

    select
        teams.team_id,
        teams.function_name,
        lower(trim(team_work_types.work_type)) as work_type,
        teams.function_name || '/' || coalesce(lower(trim(team_work_types.work_type)), '')
            as cohort_key
    from teams
    left join team_work_types
        on teams.team_id = trim(team_work_types.team_id)

),

kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

set_members as (

    select *
    from kpi_sets
    where is_in_set

),

{# The weeks each team has data in (its active range). #}
team_weeks as (

    select distinct
        team_id,
        period_start as week_start
    from kpi_periods
    where period_grain = 'week'

),

distinct_periods as (

    select
        team_id,
        period_grain,
        period_start,
        max(period_end) as period_end,
        max(week_count) as week_count,
        {{ any_true('is_complete') }} as is_complete
    from kpi_periods
    where period_grain in ('rolling_4_weeks', 'quarter', 'baseline')
    group by team_id, period_grain, period_start

),

{# Each period with the team's weeks of data in it and the last of them. #}
team_periods as (

    select
        distinct_periods.team_id,
        distinct_periods.period_grain,
        distinct_periods.period_start,
        distinct_periods.period_end,
        distinct_periods.week_count,
        distinct_periods.is_complete,
        count(team_weeks.week_start) as data_week_count,
        max(team_weeks.week_start) as last_data_week_start
    from distinct_periods
    left join team_weeks
        on distinct_periods.team_id = team_weeks.team_id
            and distinct_periods.period_start <= team_weeks.week_start
            and distinct_periods.period_end >= team_weeks.week_start
    group by
        distinct_periods.team_id,
        distinct_periods.period_grain,
        distinct_periods.period_start,
        distinct_periods.period_end,
        distinct_periods.week_count,
        distinct_periods.is_complete

),

{#
    Every team's cells on the scale they are compared on: an additive KPI
    (a sum, or a count that is not a stock) per week of data in the period,
    so a 4-week, a quarter's and a baseline's value compare; any other as is.
#}
normalized as (

    select
        kpi_periods.team_id,
        kpi_periods.kpi_id,
        kpi_periods.period_grain,
        kpi_periods.period_start,
        kpi_periods.is_complete,
        kpi_periods.contributor_count,
        kpi_periods.is_suppressed,
        case
            when kpi_catalog.statistic in ('sum', 'count')
                and kpi_catalog.kpi_id not in ({{ stock_kpis() }})
                then kpi_periods.value / nullif(team_periods.data_week_count, 0)
            else kpi_periods.value
        end as value
    from kpi_periods
    inner join kpi_catalog
        on kpi_periods.kpi_id = kpi_catalog.kpi_id
    inner join team_periods
        on kpi_periods.team_id = team_periods.team_id
            and kpi_periods.period_grain = team_periods.period_grain
            and kpi_periods.period_start = team_periods.period_start

),

baselines as (

    select
        normalized.team_id,
        normalized.kpi_id,
        normalized.value as baseline_value,
        team_periods.period_start as baseline_start,
        team_periods.period_end as baseline_end,
        normalized.is_complete as is_baseline_complete
    from normalized
    inner join team_periods
        on normalized.team_id = team_periods.team_id
            and normalized.period_grain = team_periods.period_grain
            and normalized.period_start = team_periods.period_start
    where normalized.period_grain = 'baseline'

),

targets as (

    select
        trim(team_id) as team_id,
        trim(kpi_id) as kpi_id,
        upper(trim(quarter)) as quarter,
        lower(trim(target_kind)) as target_kind,
        trim(target) as target_input,
        case
            when lower(trim(target_kind)) = 'relative'
                then cast(replace(trim(target), '%', '') as float8) / 100
            else cast(trim(target) as float8)
        end as target_number
    from team_file
    where quarter is not null and target is not null

),

cells as (

    select
        set_members.team_id,
        set_members.function_name,
        set_members.kpi_id,
        set_members.kpi_name,
        set_members.category,
        set_members.direction,
        set_members.statistic,
        set_members.kpi_position,
        case
            when set_members.statistic in ('sum', 'count')
                and set_members.kpi_id not in ({{ stock_kpis() }})
                then 'per_week'
            else 'period'
        end as value_basis,
        team_periods.period_grain,
        team_periods.period_start,
        team_periods.period_end,
        team_periods.week_count,
        team_periods.is_complete,
        team_periods.data_week_count,
        {#- Whole weeks from the team's last week of data to the period's end. -#}
        cast(
            (
                {{ scorecard_days_between(
                    'team_periods.last_data_week_start', 'team_periods.period_end') }}
                + 1
            ) / 7 - 1 as float8
        ) as remaining_week_count,
        normalized.value,
        normalized.contributor_count,
        coalesce(normalized.is_suppressed, false) as is_suppressed,
        {#- The quarter of the period's last week (its Thursday decides, as ISO weeks do). -#}
        
        {{ scorecard_quarter_label('team_periods.period_end - 3') }} as quarter
    from set_members
    inner join team_periods
        on set_members.team_id = team_periods.team_id
    left join normalized
        on team_periods.team_id = normalized.team_id
            and team_periods.period_grain = normalized.period_grain
            and team_periods.period_start = normalized.period_start
            and set_members.kpi_id = normalized.kpi_id
    where (team_periods.period_grain = 'rolling_4_weeks' and team_periods.is_complete)
        or team_periods.period_grain = 'quarter'

),

targeted as (

    select
        cells.*,
        baselines.baseline_value,
        baselines.baseline_start,
        baselines.baseline_end,
        coalesce(
            not baselines.is_baseline_complete
            or cells.period_end <= baselines.baseline_end,
            false
        ) as is_baseline_forming,
        targets.target_kind,
        targets.target_input,
        case
            when targets.target_kind = 'relative'
                then baselines.baseline_value * (1 + targets.target_number)
            else targets.target_number
        end as target_value
    from cells
    left join baselines
        on cells.team_id = baselines.team_id
            and cells.kpi_id = baselines.kpi_id
    left join targets
        on cells.team_id = targets.team_id
            and cells.kpi_id = targets.kpi_id
            and cells.quarter = targets.quarter

),

{# The latest complete rolling 4 weeks inside each quarter: the current pace. #}
quarter_paces as (

    select
        quarters.team_id,
        quarters.kpi_id,
        quarters.period_start,
        rolling.value as pace_value,
        row_number() over (
            partition by quarters.team_id, quarters.kpi_id, quarters.period_start
            order by rolling_periods.period_end desc
        ) as recency
    from normalized as quarters
    inner join team_periods as quarter_periods
        on quarters.team_id = quarter_periods.team_id
            and quarters.period_grain = quarter_periods.period_grain
            and quarters.period_start = quarter_periods.period_start
    inner join normalized as rolling
        on quarters.team_id = rolling.team_id
            and quarters.kpi_id = rolling.kpi_id
            and rolling.period_grain = 'rolling_4_weeks'
            and rolling.is_complete
    inner join team_periods as rolling_periods
        on rolling.team_id = rolling_periods.team_id
            and rolling.period_grain = rolling_periods.period_grain
            and rolling.period_start = rolling_periods.period_start
            and quarter_periods.period_start <= rolling_periods.period_end
            and quarter_periods.period_end >= rolling_periods.period_end
    where quarters.period_grain = 'quarter'

),

{#
    Quarter rows: the weeks still to come are taken to go as the latest
    complete rolling 4 weeks did; the projection is the week-weighted mean of
    the quarter so far and that pace (per week for additive KPIs).
#}
projected as (

    select
        targeted.*,
        case
            when targeted.period_grain != 'quarter' then null
            when targeted.is_complete or targeted.remaining_week_count <= 0
                then targeted.value
            else (
                targeted.value * targeted.data_week_count
                + quarter_paces.pace_value * targeted.remaining_week_count
            ) / (targeted.data_week_count + targeted.remaining_week_count)
        end as projected_value
    from targeted
    left join quarter_paces
        on targeted.team_id = quarter_paces.team_id
            and targeted.kpi_id = quarter_paces.kpi_id
            and targeted.period_start = quarter_paces.period_start
            and targeted.period_grain = 'quarter'
            and quarter_paces.recency = 1

),

{# Other teams of the same cohort with a published value of the same cell. #}
cohort_values as (

    select
        projected.team_id,
        projected.kpi_id,
        projected.period_grain,
        projected.period_start,
        others.value
    from projected
    inner join team_cohorts as own_team
        on projected.team_id = own_team.team_id
    inner join team_cohorts as other_teams
        on own_team.cohort_key = other_teams.cohort_key
            and projected.team_id != other_teams.team_id
    inner join normalized as others
        on other_teams.team_id = others.team_id
            and projected.kpi_id = others.kpi_id
            and projected.period_grain = others.period_grain
            and projected.period_start = others.period_start
    where others.value is not null

),

cohorts as (

    select
        team_id,
        kpi_id,
        period_grain,
        period_start,
        count(*) as cohort_team_count,
        {{ percentile('value', 0.5) }} as cohort_median,
        min(value) as cohort_low,
        max(value) as cohort_high
    from cohort_values
    group by team_id, kpi_id, period_grain, period_start

),

judged as (

    select
        projected.*,
        {{ scorecard_status(
            'projected.value', 'projected.baseline_value', 'projected.target_value',
            'projected.direction', 'projected.is_baseline_forming') }} as status,
        case
            when projected.period_grain = 'quarter'
                then {{ scorecard_status(
                    'projected.projected_value', 'projected.baseline_value',
                    'projected.target_value', 'projected.direction',
                    'projected.is_baseline_forming') }}
        end as projected_status,
        own_team.work_type,
        coalesce(cohorts.cohort_team_count, 0) as cohort_team_count,
        case when cohorts.cohort_team_count >= 3 then cohorts.cohort_median end
            as cohort_median,
        case when cohorts.cohort_team_count >= 3 then cohorts.cohort_low end as cohort_low,
        case when cohorts.cohort_team_count >= 3 then cohorts.cohort_high end as cohort_high
    from projected
    left join team_cohorts as own_team
        on projected.team_id = own_team.team_id
    left join cohorts
        on projected.team_id = cohorts.team_id
            and projected.kpi_id = cohorts.kpi_id
            and projected.period_grain = cohorts.period_grain
            and projected.period_start = cohorts.period_start

),

final as (

    select
        cast({{ stable_id('team_id', 'kpi_id', 'period_grain', 'period_start') }} as varchar)
            as team_kpi_status_id,
        cast(team_id as varchar) as team_id,
        cast(function_name as varchar) as function_name,
        cast(work_type as varchar) as work_type,
        cast(kpi_id as varchar) as kpi_id,
        cast(kpi_name as varchar) as kpi_name,
        cast(category as varchar) as category,
        cast(direction as varchar) as direction,
        cast(kpi_position as integer) as kpi_position,
        cast(value_basis as varchar) as value_basis,
        cast(period_grain as varchar) as period_grain,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(week_count as integer) as week_count,
        cast(data_week_count as integer) as data_week_count,
        is_complete,
        cast(quarter as varchar) as quarter,
        cast(value as float8) as value,
        cast(contributor_count as bigint) as contributor_count,
        is_suppressed,
        cast(baseline_value as float8) as baseline_value,
        cast(baseline_start as date) as baseline_start,
        cast(baseline_end as date) as baseline_end,
        cast(target_kind as varchar) as target_kind,
        cast(target_input as varchar) as target_input,
        cast(target_value as float8) as target_value,
        cast(status as varchar) as status,
        cast(
            case status
                when 'baseline_forming'
                    then 'the baseline of this KPI is still forming'
                when 'not_enough_data'
                    then case
                            when value is null and is_suppressed
                                then 'the value is suppressed: fewer than k people behind it'
                            when value is null then 'no value in this period'
                            else 'the baseline is suppressed: fewer than k people behind it'
                        end
                when 'no_target' then 'no target set for ' || quarter
                when 'on_track' then 'at or better than the target'
                when 'at_risk' then 'short of the target, not worse than the baseline'
                when 'off_track' then 'worse than the baseline'
            end as varchar
        ) as status_reason,
        cast(projected_value as float8) as projected_value,
        cast(projected_status as varchar) as projected_status,
        cast(cohort_team_count as bigint) as cohort_team_count,
        cast(cohort_median as float8) as cohort_median,
        cast(cohort_low as float8) as cohort_low,
        cast(cohort_high as float8) as cohort_high
    from judged

)

select * from final
