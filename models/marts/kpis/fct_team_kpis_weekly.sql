{#
    One row per team, ISO week and KPI: every weekly KPI of the catalog
    (seed kpi_catalog), as docs/kpi-definitions.md defines it, with the work items
    (sample_size) and distinct people (contributor_count) behind it.

    Privacy (docs/privacy.md, "Show less"): a cell backed by fewer than k people,
    k = var('min_group_size') (default 5; never below 5, checked at compile
    time by kpi_min_group_size), is suppressed: value null, is_suppressed true.

    Sum and count KPIs (statistic sum/count in the catalog) get an explicit zero
    row for each week of the team's active range without items, because a
    zero is a real value; such a row's contributor_count is the team's size
    that week, so a team under k people stays suppressed. A team gets zero rows
    only for the KPIs it has produced at least once (a marketing team owning no
    repository gets no deployment_days zeros).
#}
{%- set min_group_size = kpi_min_group_size() %}
{#- The KPI models named by the catalog's model_name (checked when built):
    macros/kpis/kpi_models.sql. Each computes every period grain; this mart
    publishes the week grain (fct_team_kpis_by_period publishes them all). #}
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

team_weeks as (

    select * from {{ ref('kpi_base_team_weeks') }}

),

measured as (
    {% for kpi_model in kpi_models %}
        select
            team_id,
            period_start as week_start,
            kpi_id,
            value,
            sample_size,
            contributor_count
        from {{ kpi_model }}
        where period_grain = 'week'
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

zero_weeks as (

    select
        team_weeks.team_id,
        team_weeks.week_start,
        zero_filled_kpis.kpi_id,
        cast(0 as float8) as value,
        cast(0 as bigint) as sample_size,
        cast(team_weeks.member_count as bigint) as contributor_count
    from team_weeks
    inner join zero_filled_kpis
        on team_weeks.team_id = zero_filled_kpis.team_id
    left join measured
        on team_weeks.team_id = measured.team_id
            and team_weeks.week_start = measured.week_start
            and zero_filled_kpis.kpi_id = measured.kpi_id
    where measured.kpi_id is null

),

all_cells as (

    select * from measured

    union all

    select * from zero_weeks

),

suppressed as (

    select
        all_cells.team_id,
        all_cells.week_start,
        all_cells.kpi_id,
        kpi_catalog.category,
        all_cells.value,
        all_cells.sample_size,
        all_cells.contributor_count,
        all_cells.contributor_count < {{ min_group_size }} as is_suppressed
    from all_cells
    inner join kpi_catalog
        on all_cells.kpi_id = kpi_catalog.kpi_id

),

final as (

    select
        cast({{ stable_id('team_id', 'week_start', 'kpi_id') }} as varchar)
            as team_kpi_week_id,
        cast(team_id as varchar) as team_id,
        cast(week_start as date) as week_start,
        cast(kpi_id as varchar) as kpi_id,
        cast(category as varchar) as category,
        cast(case when not is_suppressed then value end as float8) as value,
        cast(sample_size as bigint) as sample_size,
        cast(contributor_count as bigint) as contributor_count,
        is_suppressed
    from suppressed

)

select * from final
