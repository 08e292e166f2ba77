{#
    kpi_base_dora_team_windows with a DORA performance level per metric (seed
    dora_performance_levels: the best level whose cut-off holds) and privacy
    suppression. A level needs data: a window without production deployments,
    or a metric without a value, is 'no data', never 'low'.
    Privacy (docs/privacy.md): a cell whose contributor_count is below
    k = var('min_group_size') is suppressed: every measure and level is null
    (counts of deployments and incidents stay: they are about services).
#}
{%- set min_group_size = kpi_min_group_size() %}
{%- set metrics = [
    'deployment_frequency',
    'lead_time_for_changes',
    'change_failure_rate',
    'failed_deployment_recovery_time',
    'time_to_restore',
] %}
{%- set measures = [
    'deployment_days_per_week_p50',
    'deployment_days_per_month',
    'lead_time_p50_hours',
    'change_failure_rate',
    'failed_deployment_recovery_p50_hours',
    'time_to_restore_p50_hours',
] %}

with team_windows as (

    select * from {{ ref('kpi_base_dora_team_windows') }}

),

performance_levels as (

    select * from {{ ref('dora_performance_levels') }}

),

measure_values as (
    {% for measure in measures %}
        select
            team_window_id,
            '{{ measure }}' as measure,
            cast({{ measure }} as float8) as measure_value
        from team_windows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

met_levels as (

    select
        measure_values.team_window_id,
        performance_levels.metric,
        performance_levels.performance_level,
        performance_levels.level_order
    from measure_values
    inner join performance_levels
        on measure_values.measure = performance_levels.measure
    where
        (
            performance_levels.comparison = 'lt'
            and measure_values.measure_value < performance_levels.threshold
        )
        or (
            performance_levels.comparison = 'lte'
            and measure_values.measure_value <= performance_levels.threshold
        )
        or (
            performance_levels.comparison = 'gte'
            and measure_values.measure_value >= performance_levels.threshold
        )

),

best_levels as (

    select
        team_window_id,
        metric,
        performance_level,
        row_number() over (
            partition by team_window_id, metric
            order by level_order, performance_level
        ) as level_rank
    from met_levels

),

pivoted as (

    select
        team_window_id,
        {% for metric in metrics %}
            max(case when metric = '{{ metric }}' then performance_level end)
                as {{ metric }}_level{% if not loop.last %},{% endif %}
        {% endfor %}
    from best_levels
    where level_rank = 1
    group by team_window_id

),

final as (

    select
        team_windows.*,
        {% for metric in metrics %}
            case
                when team_windows.deployment_count = 0 then 'no data'
                else coalesce(pivoted.{{ metric }}_level, 'no data')
            end as {{ metric }}_level,
        {% endfor %}
        team_windows.contributor_count < {{ min_group_size }} as is_suppressed
    from team_windows
    left join pivoted
        on team_windows.team_window_id = pivoted.team_window_id

)

select * from final
