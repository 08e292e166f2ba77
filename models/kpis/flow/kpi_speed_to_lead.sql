{#
    Speed to lead (flow, sales): lead created -> first sales touch (call,
    email or meeting; lead.first_touch), in calendar hours, in the week the
    lead was created (docs/kpi-definitions.md), for the lead owner's team. A lead
    not touched yet has no speed to lead and is left out, so a week's value can
    still rise while its leads are being worked. Published as the interpolated
    median (speed_to_lead_p50) and 85th percentile (speed_to_lead_p85), and
    as the share of touched leads touched within 1 business hour of the lead
    owner's team (speed_to_lead_within_1_business_hour, docs/kpi-definitions.md:
    business hours between created and first touch from
    int_team_business_days, <= 1; leads whose moments fall outside the
    calendar are left out of the share and of its sample_size).
    contributor_count is the distinct roster people among the lead owners and
    the people who made the first touch.
#}
with touched as (

    select * from {{ ref('kpi_base_lead_touches') }}

),

contributor_counts as (

    {{ period_contributor_counts('touched', ['owner_person_id', 'toucher_person_id']) }}

),

aggregated as (

    select
        touched.team_id,
        touched.period_grain,
        touched.period_start,
        {{ percentile('touched.speed_to_lead_hours', 0.5) }} as speed_to_lead_p50_hours,
        {{ percentile('touched.speed_to_lead_hours', 0.85) }} as speed_to_lead_p85_hours,
        count(*) as lead_count,
        count(touched.business_hours) as business_lead_count,
        count(case when touched.business_hours <= 1.0 then 1 end) as within_1_business_hour_count
    from {{ kpi_periods('touched') }}
    group by touched.team_id, touched.period_grain, touched.period_start

),

measured as (

    select
        aggregated.*,
        coalesce(contributor_counts.contributor_count, 0) as contributor_count
    from aggregated
    left join contributor_counts
        on aggregated.team_id = contributor_counts.team_id
            and aggregated.period_grain = contributor_counts.period_grain
            and aggregated.period_start = contributor_counts.period_start

),

final as (

    {{ kpi_rows('measured', [
        {'kpi_id': 'speed_to_lead_p50',
         'value': 'speed_to_lead_p50_hours', 'sample_size': 'lead_count'},
        {'kpi_id': 'speed_to_lead_p85',
         'value': 'speed_to_lead_p85_hours', 'sample_size': 'lead_count'},
        {'kpi_id': 'speed_to_lead_within_1_business_hour',
         'value': 'cast(within_1_business_hour_count as float8) / business_lead_count',
         'sample_size': 'business_lead_count', 'where': 'business_lead_count > 0'},
    ]) }}

)

select * from final
