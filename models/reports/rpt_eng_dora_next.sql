{#
    Each DORA metric's level per team over the latest 13 weeks, and what would
    move it: the next level's cut-off from the seed dora_performance_levels
    and where the team stands now (the engineering delivery page). A
    suppressed team (fewer than k people behind its window) shows neither its
    level nor the next one.
#}
{%- set k = kpi_min_group_size() %}
{%- set metrics = [
    ('deployment_frequency', 'Deployment frequency', 'deployment_frequency_level'),
    ('lead_time_for_changes', 'Lead time for changes', 'lead_time_for_changes_level'),
    ('change_failure_rate', 'Change failure rate', 'change_failure_rate_level'),
    ('failed_deployment_recovery_time', 'Failed deployment recovery time',
        'failed_deployment_recovery_time_level'),
] %}
{#- The measures the seed's cut-offs compare (its `measure` column). #}
{%- set measures = [
    'deployment_days_per_week_p50', 'deployment_days_per_month', 'lead_time_p50_hours',
    'change_failure_rate', 'failed_deployment_recovery_p50_hours',
] %}

with dora as (

    select * from {{ ref('fct_dora_team_rolling') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

performance_levels as (

    select * from {{ ref('dora_performance_levels') }}

),

latest_week as (

    select max(week_start) as week_start from dora

),

latest as (

    select dora.*
    from dora
    inner join latest_week
        on dora.week_start = latest_week.week_start
    where dora.window_weeks = 13

),

metrics as (
    {% for metric, label, level_column in metrics %}
        select
            team_id,
            is_suppressed,
            {{ loop.index }} as metric_order,
            '{{ metric }}' as metric,
            '{{ label }}' as metric_label,
            {{ level_column }} as performance_level
        from latest
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

measures as (
    {% for measure in measures %}
        select
            team_id,
            '{{ measure }}' as measure,
            {{ measure }} as measure_value
        from latest
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

current_level as (

    select
        metrics.*,
        performance_levels.level_order
    from metrics
    left join performance_levels
        on
            metrics.metric = performance_levels.metric
            and metrics.performance_level = performance_levels.performance_level

),

with_next as (

    select
        current_level.*,
        next_level.performance_level as next_level,
        next_level.measure as next_measure,
        next_level.comparison as next_comparison,
        next_level.threshold as next_threshold,
        measures.measure_value as next_measure_value
    from current_level
    left join performance_levels as next_level
        on
            current_level.metric = next_level.metric
            and current_level.level_order - 1 = next_level.level_order
    left join measures
        on
            current_level.team_id = measures.team_id
            and next_level.measure = measures.measure

),

texts as (

    select
        *,
        case next_measure
            when 'deployment_days_per_week_p50'
                then {{ format_fixed('next_measure_value', 1) }} || ' deployment days a week'
            when 'deployment_days_per_month'
                then {{ format_fixed('next_measure_value', 1) }} || ' deployment days a month'
            when 'change_failure_rate'
                then {{ format_fixed('next_measure_value * 100', 1) }} || '%'
            else {{ format_fixed('next_measure_value', 1) }} || ' h'
        end as now_text,
        case next_measure
            when 'deployment_days_per_week_p50'
                then {{ format_general('next_threshold') }}
                    || ' deployment days a week (median week)'
            when 'deployment_days_per_month'
                then {{ format_general('next_threshold') }} || ' deployment days a month'
            when 'change_failure_rate'
                then {{ format_general('next_threshold * 100') }} || '% of deployments'
            else {{ format_general('next_threshold') }} || ' h (median)'
        end as threshold_text,
        case next_comparison
            when 'gte' then 'at least'
            when 'lte' then 'at most'
            when 'lt' then 'under'
        end as comparison_text
    from with_next

),

final as (

    select
        texts.team_id,
        teams.team_name,
        texts.metric_order,
        cast(texts.metric as varchar) as metric,
        cast(texts.metric_label as varchar) as metric_label,
        cast(
            case when texts.is_suppressed then 'suppressed' else texts.performance_level end
            as varchar
        ) as performance_level,
        case when not texts.is_suppressed then texts.next_level end as next_level,
        cast(case
            when texts.is_suppressed then 'suppressed: fewer than {{ k }} people behind it'
            when texts.performance_level = 'no data'
                then 'no production deployments in the window'
            when texts.performance_level = 'elite'
                then 'already at the best level: keep it there'
            else
                texts.next_level || ' needs ' || texts.comparison_text || ' '
                || texts.threshold_text || '; now ' || texts.now_text
        end as varchar) as what_would_move_it,
        texts.is_suppressed
    from texts
    inner join teams
        on texts.team_id = teams.team_id

)

select * from final
