{#
    Speed to lead per sales team and CRM lead source over the 13 weeks ending
    with the latest week a touched lead was created (the sales leads page;
    docs/kpi-definitions.md#speed-to-lead-by-lead-source): one row per team and
    lead source (`unknown` without one) with the touched leads, their median
    calendar hours to the first touch and the share touched within 1 business
    hour (kpi_base_lead_touches, so the page and the KPIs measure a lead alike).
    A cell backed by fewer than k distinct people (lead owners and first
    touchers) keeps its numbers empty and is_suppressed true; if any source of a
    team is suppressed, the counts of all its sources stay empty too, since the
    team's total minus the other sources would give the suppressed one away
    (docs/privacy.md#differencing).
#}
{%- set k = kpi_min_group_size() %}

with lead_touches as (

    select * from {{ ref('kpi_base_lead_touches') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

window_start as (

    select {{ add_weeks('max(week_start)', -12) }} as week_from
    from lead_touches

),

recent as (

    select
        lead_touches.team_id,
        coalesce(lead_touches.lead_source, 'unknown') as lead_source,
        lead_touches.owner_person_id,
        lead_touches.toucher_person_id,
        lead_touches.speed_to_lead_hours,
        lead_touches.business_hours
    from lead_touches
    cross join window_start
    where lead_touches.week_start >= window_start.week_from

),

{# The people behind each cell: lead owners and first touchers. #}
people as (

    select
        team_id,
        lead_source,
        owner_person_id as person_id
    from recent

    union all

    select
        team_id,
        lead_source,
        toucher_person_id as person_id
    from recent

),

contributors as (

    select
        team_id,
        lead_source,
        count(distinct person_id) as contributor_count
    from people
    group by team_id, lead_source

),

cells as (

    select
        recent.team_id,
        recent.lead_source,
        count(*) as lead_count,
        {{ percentile('recent.speed_to_lead_hours', 0.5) }} as speed_to_lead_p50_hours,
        count(recent.business_hours) as business_lead_count,
        count(case when recent.business_hours <= 1.0 then 1 end) as within_1_business_hour_count,
        max(contributors.contributor_count) as contributor_count
    from recent
    inner join contributors
        on recent.team_id = contributors.team_id
            and recent.lead_source = contributors.lead_source
    group by recent.team_id, recent.lead_source

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
        cast({{ stable_id('flagged.team_id', 'flagged.lead_source') }} as varchar)
            as team_lead_source_id,
        cast(flagged.team_id as varchar) as team_id,
        cast(teams.team_name as varchar) as team_name,
        cast(flagged.lead_source as varchar) as lead_source,
        cast(
            upper(substr(flagged.lead_source, 1, 1))
            || replace(substr(flagged.lead_source, 2), '_', ' ')
            as varchar
        ) as lead_source_label,
        cast(case when not flagged.team_has_suppressed then flagged.lead_count end as bigint)
            as lead_count,
        cast(
            case when not flagged.is_suppressed then flagged.speed_to_lead_p50_hours end
            as float8
        ) as speed_to_lead_p50_hours,
        cast(
            case
                when flagged.is_suppressed then 'suppressed'
                else {{ report_value_text('flagged.speed_to_lead_p50_hours', "'hours'") }}
            end as varchar
        ) as speed_to_lead_text,
        {%- set within_share =
            '1.0 * flagged.within_1_business_hour_count / flagged.business_lead_count' %}
        cast(
            case
                when not flagged.is_suppressed and flagged.business_lead_count > 0
                    then {{ within_share }}
            end as float8
        ) as within_1_business_hour_share,
        cast(
            case
                when flagged.is_suppressed then 'suppressed'
                when flagged.business_lead_count = 0 then 'no data'
                else {{ report_value_text(within_share, "'ratio'") }}
            end as varchar
        ) as within_1_business_hour_text,
        cast(flagged.contributor_count as bigint) as contributor_count,
        flagged.is_suppressed
    from flagged
    inner join teams
        on flagged.team_id = teams.team_id

)

select * from final
