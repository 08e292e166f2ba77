{#
    The deal stage funnel per sales team over the 13 weeks ending with the
    latest week a deal entered a stage (the sales funnel page;
    docs/kpi-definitions.md#deal-stage-funnel): one row per team and open
    pipeline stage, with the deals that entered the stage in the window, how
    many converted (went on to a later stage or a win), the conversion and the
    median days in the stage of the deals that have left it
    (kpi_base_deal_stages). A cell backed by fewer than k distinct deal owners
    keeps its numbers empty and is_suppressed true; if any stage of a team is
    suppressed, the counts of all its stages stay empty too, since the stages'
    counts follow one another and would give the suppressed one away
    (docs/privacy.md#differencing).
#}
{%- set k = kpi_min_group_size() %}

with deal_stages as (

    select * from {{ ref('kpi_base_deal_stages') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

window_start as (

    select {{ add_weeks('max(week_start)', -12) }} as week_from
    from deal_stages

),

cells as (

    select
        deal_stages.team_id,
        deal_stages.deal_stage,
        deal_stages.stage_order,
        count(*) as entered_count,
        count(case when deal_stages.has_converted then 1 end) as converted_count,
        count(deal_stages.days_in_stage) as left_count,
        {{ percentile('deal_stages.days_in_stage', 0.5) }} as days_in_stage_p50,
        count(distinct deal_stages.owner_person_id) as contributor_count
    from deal_stages
    cross join window_start
    where deal_stages.week_start >= window_start.week_from
    group by deal_stages.team_id, deal_stages.deal_stage, deal_stages.stage_order

),

flagged as (

    select
        *,
        contributor_count < {{ k }} as is_suppressed,
        {{ any_true('contributor_count < ' ~ k) }} over (partition by team_id)
            as team_has_suppressed
    from cells

),

final as (

    select
        cast({{ stable_id('flagged.team_id', 'flagged.deal_stage') }} as varchar)
            as team_deal_stage_id,
        cast(flagged.team_id as varchar) as team_id,
        cast(teams.team_name as varchar) as team_name,
        cast(flagged.deal_stage as varchar) as deal_stage,
        cast(flagged.stage_order as integer) as stage_order,
        cast(case when not flagged.team_has_suppressed then flagged.entered_count end as bigint)
            as entered_count,
        cast(case when not flagged.team_has_suppressed then flagged.converted_count end as bigint)
            as converted_count,
        cast(
            case
                when not flagged.is_suppressed
                    then 1.0 * flagged.converted_count / flagged.entered_count
            end as float8
        ) as conversion,
        {%- set conversion = '1.0 * flagged.converted_count / flagged.entered_count' %}
        cast(
            case
                when flagged.is_suppressed then 'suppressed'
                else {{ report_value_text(conversion, "'ratio'") }}
            end as varchar
        ) as conversion_text,
        cast(case when not flagged.is_suppressed then flagged.days_in_stage_p50 end as float8)
            as days_in_stage_p50,
        cast(
            case
                when flagged.is_suppressed then 'suppressed'
                else {{ report_value_text('flagged.days_in_stage_p50', "'days'") }}
            end as varchar
        ) as days_in_stage_text,
        cast(flagged.contributor_count as bigint) as contributor_count,
        flagged.is_suppressed
    from flagged
    inner join teams
        on flagged.team_id = teams.team_id

)

select * from final
