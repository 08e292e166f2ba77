{#
    One row per team, period and KPI, at every grain of the period spine
    (kpi_base_periods): week, rolling_4_weeks, quarter and baseline. Each KPI
    model computes its statistic per period FROM THE ITEMS of the period's
    weeks (kpi_periods), so a 4-week p85 is the 85th percentile of the four
    weeks' items and contributor_count the distinct people over the period.
    The week grain is fct_team_kpis_weekly, row for row.

    Zero rows: as the weekly mart, sum and count KPIs get an explicit zero for
    each period of the spine without items, for the KPIs the team has
    produced at least once; its contributor_count is the team's size at the
    period's end (member_count of the spine).

    Privacy (docs/privacy.md, "Small groups" and "Differencing"), at every
    grain:
    - a cell backed by fewer than k people (k = var('min_group_size'), never
      below 5) is suppressed: value null, is_suppressed true;
    - the differencing guard (hidden_weeks .. cutting_periods below): for an
      additive KPI (statistic sum, count or rate: its value times
      sample_size is a sum over the weeks), no published longer period may
      let a reader recover a suppressed week by subtracting published cells
      (a 4-week total minus three published weeks, two overlapping windows,
      a quarter minus its windows). Percentiles (median, p85) are not sums of
      weekly cells and follow the k rule alone.
      A stock (a backlog, macro stock_kpis) is valued at the period's end: it is the
      weekly cell of the period's last week, with the same people.
#}
{%- set min_group_size = kpi_min_group_size() %}
{#- The same KPI models as fct_team_kpis_weekly (macros/kpis/kpi_models.sql). #}
{%- set kpi_models = kpi_models_in_catalog(kpi_models()) %}

with

{% for kpi_model in kpi_models %}
    {{ kpi_model }} as (

        select * from {{ ref(kpi_model) }}

    ),

{% endfor %}
kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

periods as (

    select * from {{ ref('kpi_base_periods') }}

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}

),

as_of as (

    select max({{ to_date('as_of_at') }}) as as_of_date
    from data_as_of

),

measured as (
    {% for kpi_model in kpi_models %}
        select
            team_id,
            period_grain,
            period_start,
            kpi_id,
            value,
            sample_size,
            contributor_count
        from {{ kpi_model }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

{# The team-KPI pairs that get zero rows: count/sum KPIs the team has produced. #}
zero_filled_kpis as (

    select distinct
        measured.team_id,
        measured.kpi_id
    from measured
    inner join kpi_catalog
        on measured.kpi_id = kpi_catalog.kpi_id
    where kpi_catalog.statistic in ('sum', 'count')

),

zero_periods as (

    select
        periods.team_id,
        periods.period_grain,
        periods.period_start,
        zero_filled_kpis.kpi_id,
        cast(0 as float8) as value,
        cast(0 as bigint) as sample_size,
        cast(periods.member_count as bigint) as contributor_count
    from periods
    inner join zero_filled_kpis
        on periods.team_id = zero_filled_kpis.team_id
    left join measured
        on periods.team_id = measured.team_id
            and periods.period_grain = measured.period_grain
            and periods.period_start = measured.period_start
            and zero_filled_kpis.kpi_id = measured.kpi_id
    where measured.kpi_id is null

),

all_cells as (

    select * from measured

    union all

    select * from zero_periods

),

{#
    The differencing guard. Hidden weeks: suppressed weeks with items of an
    additive KPI (statistic sum, count, rate or mean; not a stock). They are put in
    groups of two (three for an odd one out), in week order within their
    calendar quarter, and within the quarter apart inside and outside the
    team's baseline unless that leaves a week alone. A longer period that
    holds part of a group, or a group of one, is suppressed. So every
    published period holds each group whole or not at all: moving any amount
    from one hidden week to another of its group changes no published
    number, and no combination of published cells gives one hidden week
    away. Groups follow quarters and the baseline, so those are published
    whenever their hidden weeks pair up; a rolling window is published when
    it does not cut a pair.
#}
hidden_weeks as (

    select
        all_cells.team_id,
        all_cells.kpi_id,
        all_cells.period_start as week_start,
        {{ kpi_quarter_start('all_cells.period_start + 3') }} as quarter_start
    from all_cells
    inner join kpi_catalog
        on all_cells.kpi_id = kpi_catalog.kpi_id
    where
        all_cells.period_grain = 'week'
        and all_cells.contributor_count < {{ min_group_size }}
        and all_cells.sample_size > 0
        and kpi_catalog.statistic in ('sum', 'count', 'rate', 'mean')
        and all_cells.kpi_id not in ({{ stock_kpis() }})

),

hidden_in_baseline as (

    select
        hidden_weeks.team_id,
        hidden_weeks.kpi_id,
        hidden_weeks.week_start,
        hidden_weeks.quarter_start,
        baselines.team_id is not null as is_in_baseline
    from hidden_weeks
    left join periods as baselines
        on hidden_weeks.team_id = baselines.team_id
            and baselines.period_grain = 'baseline'
            and hidden_weeks.week_start >= baselines.period_start
            and hidden_weeks.week_start <= baselines.period_end

),

baseline_parts as (

    select
        team_id,
        kpi_id,
        quarter_start,
        is_in_baseline,
        count(*) as hidden_count
    from hidden_in_baseline
    group by team_id, kpi_id, quarter_start, is_in_baseline

),

{# A quarter is cut at the baseline's edge only when neither part is a lone week. #}
quarter_cuts as (

    select
        team_id,
        kpi_id,
        quarter_start,
        min(hidden_count) >= 2 as is_cut_at_baseline
    from baseline_parts
    group by team_id, kpi_id, quarter_start

),

segmented as (

    select
        hidden_in_baseline.team_id,
        hidden_in_baseline.kpi_id,
        hidden_in_baseline.week_start,
        hidden_in_baseline.quarter_start,
        quarter_cuts.is_cut_at_baseline and hidden_in_baseline.is_in_baseline
            as is_baseline_segment
    from hidden_in_baseline
    inner join quarter_cuts
        on hidden_in_baseline.team_id = quarter_cuts.team_id
            and hidden_in_baseline.kpi_id = quarter_cuts.kpi_id
            and hidden_in_baseline.quarter_start = quarter_cuts.quarter_start

),

numbered as (

    select
        team_id,
        kpi_id,
        week_start,
        quarter_start,
        is_baseline_segment,
        row_number() over (
            partition by team_id, kpi_id, quarter_start, is_baseline_segment
            order by week_start
        ) as hidden_number,
        count(*) over (
            partition by team_id, kpi_id, quarter_start, is_baseline_segment
        ) as segment_count
    from segmented

),

grouped as (

    select
        team_id,
        kpi_id,
        week_start,
        quarter_start,
        is_baseline_segment,
        {# Pairs in week order; an odd last week joins the last pair. #}
        case
            when segment_count = 1 then 0
            else least(floor((hidden_number - 1) / 2.0), floor(segment_count / 2.0) - 1)
        end as group_number
    from numbered

),

group_sizes as (

    select
        team_id,
        kpi_id,
        quarter_start,
        is_baseline_segment,
        group_number,
        count(*) as group_size
    from grouped
    group by team_id, kpi_id, quarter_start, is_baseline_segment, group_number

),

period_groups as (

    select
        periods.team_id,
        periods.period_grain,
        periods.period_start,
        grouped.kpi_id,
        grouped.quarter_start,
        grouped.is_baseline_segment,
        grouped.group_number,
        count(*) as held_count
    from periods
    inner join grouped
        on periods.team_id = grouped.team_id
            and periods.period_start <= grouped.week_start
            and periods.period_end >= grouped.week_start
    where periods.period_grain <> 'week'
    group by
        periods.team_id,
        periods.period_grain,
        periods.period_start,
        grouped.kpi_id,
        grouped.quarter_start,
        grouped.is_baseline_segment,
        grouped.group_number

),

{# Longer periods that hold part of a group, or a group of one hidden week. #}
cutting_periods as (

    select distinct
        period_groups.team_id,
        period_groups.period_grain,
        period_groups.period_start,
        period_groups.kpi_id
    from period_groups
    inner join group_sizes
        on period_groups.team_id = group_sizes.team_id
            and period_groups.kpi_id = group_sizes.kpi_id
            and period_groups.quarter_start = group_sizes.quarter_start
            and period_groups.is_baseline_segment = group_sizes.is_baseline_segment
            and period_groups.group_number = group_sizes.group_number
    where
        period_groups.held_count < group_sizes.group_size
        or group_sizes.group_size = 1

),

suppressed as (

    select
        all_cells.team_id,
        all_cells.period_grain,
        all_cells.period_start,
        coalesce(periods.period_end, cast(all_cells.period_start + 6 as date)) as period_end,
        coalesce(periods.week_count, 1) as week_count,
        coalesce(
            periods.is_complete, cast(all_cells.period_start + 6 as date) <= as_of.as_of_date
        ) as is_complete,
        all_cells.kpi_id,
        kpi_catalog.category,
        all_cells.value,
        all_cells.sample_size,
        all_cells.contributor_count,
        all_cells.contributor_count < {{ min_group_size }}
        or cutting_periods.kpi_id is not null as is_suppressed
    from all_cells
    inner join kpi_catalog
        on all_cells.kpi_id = kpi_catalog.kpi_id
    left join periods
        on all_cells.team_id = periods.team_id
            and all_cells.period_grain = periods.period_grain
            and all_cells.period_start = periods.period_start
    left join cutting_periods
        on all_cells.team_id = cutting_periods.team_id
            and all_cells.period_grain = cutting_periods.period_grain
            and all_cells.period_start = cutting_periods.period_start
            and all_cells.kpi_id = cutting_periods.kpi_id
    cross join as_of

),

final as (

    select
        cast({{ stable_id('team_id', 'period_grain', 'period_start', 'kpi_id') }} as varchar)
            as team_kpi_period_id,
        cast(team_id as varchar) as team_id,
        cast(period_grain as varchar) as period_grain,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(week_count as integer) as week_count,
        cast(is_complete as boolean) as is_complete,
        cast(kpi_id as varchar) as kpi_id,
        cast(category as varchar) as category,
        cast(case when not is_suppressed then value end as float8) as value,
        cast(sample_size as bigint) as sample_size,
        cast(contributor_count as bigint) as contributor_count,
        is_suppressed
    from suppressed

)

select * from final
