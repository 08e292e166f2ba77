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
    - the differencing guard: a longer period's value of an additive KPI
      (statistic sum, count or rate: its value times sample_size is a sum
      over the weeks) is suppressed when one of its weeks is suppressed and
      had items (sample_size > 0), so no published period total minus
      published weekly cells can give a suppressed week away. Such a period
      is then a function of published weekly cells only. Percentiles (median,
      p85) are not sums of weekly cells and follow the k rule alone, which is
      how a team whose weeks are too thin gets a 4-week or quarter value.
      A stock (the support backlog) is valued at the period's end: it is the
      weekly cell of the period's last week, with the same people.
#}
{%- set min_group_size = kpi_min_group_size() %}
{#- The same KPI models as fct_team_kpis_weekly (macros/kpis/kpi_models.sql). #}
{%- set kpi_models = kpi_models_in_catalog(kpi_models()) %}
{#- KPIs whose period value is the stock at the period's end (kpi_support_backlog). #}
{%- set stock_kpis = "'backlog_age_p50', 'backlog_over_7_days'" %}

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

{# A week of the team's KPI that is suppressed and had items: what the guard protects. #}
hidden_weeks as (

    select
        team_id,
        kpi_id,
        period_start as week_start
    from all_cells
    where
        period_grain = 'week'
        and contributor_count < {{ min_group_size }}
        and sample_size > 0

),

covering_hidden_weeks as (

    select distinct
        all_cells.team_id,
        all_cells.period_grain,
        all_cells.period_start,
        all_cells.kpi_id
    from all_cells
    inner join periods
        on all_cells.team_id = periods.team_id
            and all_cells.period_grain = periods.period_grain
            and all_cells.period_start = periods.period_start
    inner join hidden_weeks
        on all_cells.team_id = hidden_weeks.team_id
            and all_cells.kpi_id = hidden_weeks.kpi_id
            and periods.period_start <= hidden_weeks.week_start
            and periods.period_end >= hidden_weeks.week_start
    where all_cells.period_grain <> 'week'

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
        or (
            covering_hidden_weeks.kpi_id is not null
            and kpi_catalog.statistic in ('sum', 'count', 'rate')
            and all_cells.kpi_id not in ({{ stock_kpis }})
        ) as is_suppressed
    from all_cells
    inner join kpi_catalog
        on all_cells.kpi_id = kpi_catalog.kpi_id
    left join periods
        on all_cells.team_id = periods.team_id
            and all_cells.period_grain = periods.period_grain
            and all_cells.period_start = periods.period_start
    left join covering_hidden_weeks
        on all_cells.team_id = covering_hidden_weeks.team_id
            and all_cells.period_grain = covering_hidden_weeks.period_grain
            and all_cells.period_start = covering_hidden_weeks.period_start
            and all_cells.kpi_id = covering_hidden_weeks.kpi_id
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
