{#
    SLA targets met and breached per support team and priority over the 13
    weeks ending with the latest week a target was judged (the support SLA
    page; docs/kpi-definitions.md#first_reply_sla_compliance): one row per
    team, SLA metric (first_reply, resolution) and the priority in force when
    the target was judged (kpi_base_case_sla, so the page and the KPIs judge
    a ticket alike). A cell backed by fewer than k distinct people (the
    tickets' assignees, and the replying agents for first reply) keeps its
    counts and compliance empty and is_suppressed true; if any priority of a
    team and metric is suppressed, the counts of all its priorities stay
    empty too, since the team's total minus the other priorities would give
    the suppressed one away (docs/privacy.md#differencing).
#}
{%- set k = kpi_min_group_size() %}

with case_sla as (

    select * from {{ ref('kpi_base_case_sla') }}
    where sla_outcome in ('met', 'breached')

),

teams as (

    select * from {{ ref('dim_teams') }}

),

window_start as (

    select {{ add_weeks('max(week_start)', -12) }} as week_from
    from case_sla

),

recent as (

    select
        case_sla.team_id,
        case_sla.sla_metric,
        coalesce(case_sla.priority_in_force, 'none') as priority,
        case_sla.sla_outcome,
        case_sla.owner_person_id,
        case_sla.replier_person_id
    from case_sla
    cross join window_start
    where case_sla.week_start >= window_start.week_from

),

{# The people behind each cell: assignees, and first repliers for first reply. #}
people as (

    select
        team_id,
        sla_metric,
        priority,
        owner_person_id as person_id
    from recent

    union all

    select
        team_id,
        sla_metric,
        priority,
        replier_person_id as person_id
    from recent
    where sla_metric = 'first_reply'

),

contributors as (

    select
        team_id,
        sla_metric,
        priority,
        count(distinct person_id) as contributor_count
    from people
    group by team_id, sla_metric, priority

),

cells as (

    select
        recent.team_id,
        recent.sla_metric,
        recent.priority,
        count(*) as judged_count,
        count(case when recent.sla_outcome = 'met' then 1 end) as met_count,
        count(case when recent.sla_outcome = 'breached' then 1 end) as breached_count,
        max(contributors.contributor_count) as contributor_count
    from recent
    inner join contributors
        on recent.team_id = contributors.team_id
            and recent.sla_metric = contributors.sla_metric
            and recent.priority = contributors.priority
    group by recent.team_id, recent.sla_metric, recent.priority

),

flagged as (

    select
        *,
        contributor_count < {{ k }} as is_suppressed,
        {{ any_true('contributor_count < ' ~ k) }} over (partition by team_id, sla_metric)
            as metric_has_suppressed
    from cells

),

final as (

    select
        cast(
            {{ stable_id('flagged.team_id', 'flagged.sla_metric', 'flagged.priority') }}
            as varchar
        ) as team_sla_priority_id,
        cast(flagged.team_id as varchar) as team_id,
        cast(teams.team_name as varchar) as team_name,
        cast(flagged.sla_metric as varchar) as sla_metric,
        cast(
            case flagged.sla_metric
                when 'first_reply' then 'First reply'
                else 'Resolution'
            end as varchar
        ) as sla_metric_label,
        cast(flagged.priority as varchar) as priority,
        cast(
            case flagged.priority
                when 'urgent' then 1
                when 'high' then 2
                when 'normal' then 3
                when 'low' then 4
                else 5
            end as integer
        ) as priority_order,
        cast(case when not flagged.metric_has_suppressed then flagged.judged_count end as bigint)
            as judged_count,
        cast(case when not flagged.metric_has_suppressed then flagged.met_count end as bigint)
            as met_count,
        cast(case when not flagged.metric_has_suppressed then flagged.breached_count end as bigint)
            as breached_count,
        cast(
            case
                when not flagged.is_suppressed
                    then 1.0 * flagged.met_count / flagged.judged_count
            end as float8
        ) as compliance,
        {%- set share_met = '1.0 * flagged.met_count / flagged.judged_count' %}
        cast(
            case
                when flagged.is_suppressed then 'suppressed'
                else {{ report_value_text(share_met, "'ratio'") }}
            end as varchar
        ) as compliance_text,
        cast(flagged.contributor_count as bigint) as contributor_count,
        flagged.is_suppressed
    from flagged
    inner join teams
        on flagged.team_id = teams.team_id

)

select * from final
