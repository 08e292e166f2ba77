{#
    Ticket SLA compliance (reliability, support), met / (met + breached), for
    the two targets of every ticket (docs/kpi-definitions.md):
    first_reply_sla_compliance and resolution_sla_compliance. Each target is
    judged in kpi_base_case_sla: the sla_targets seed at the priority in
    force when its clock stopped (else at the data's as-of time), in
    calendar hours from creation; met, breached, stopped (a first reply
    target ended by a solve without a reply before the deadline) or still
    running. Only met and breached count, in the week the clock stopped
    (first reply; final solve), or of the deadline when it never stopped (the
    rule of on_time_delivery). contributor_count is the distinct roster
    people among the tickets' assignees, and for first reply the replying
    agents too.
#}
with case_sla as (

    select * from {{ ref('kpi_base_case_sla') }}

),

counted as (

    select
        team_id,
        work_item_id,
        sla_metric,
        owner_person_id,
        replier_person_id,
        sla_outcome,
        week_start
    from case_sla
    where sla_outcome in ('met', 'breached')

),

first_replies as (

    select * from counted
    where sla_metric = 'first_reply'

),

resolutions as (

    select * from counted
    where sla_metric = 'resolution'

),

first_reply_contributors as (

    {{ period_contributor_counts('first_replies', ['owner_person_id', 'replier_person_id']) }}

),

resolution_contributors as (

    {{ period_contributor_counts('resolutions', ['owner_person_id']) }}

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when sla_metric = 'first_reply' and sla_outcome = 'met' then 1 end)
            as first_reply_met_count,
        count(case when sla_metric = 'first_reply' then 1 end) as first_reply_judged_count,
        count(case when sla_metric = 'resolution' and sla_outcome = 'met' then 1 end)
            as resolution_met_count,
        count(case when sla_metric = 'resolution' then 1 end) as resolution_judged_count
    from {{ kpi_periods('counted') }}
    group by team_id, period_grain, period_start

),

measured as (

    select
        aggregated.*,
        coalesce(first_reply_contributors.contributor_count, 0)
            as first_reply_contributor_count,
        coalesce(resolution_contributors.contributor_count, 0)
            as resolution_contributor_count
    from aggregated
    left join first_reply_contributors
        on aggregated.team_id = first_reply_contributors.team_id
            and aggregated.period_grain = first_reply_contributors.period_grain
            and aggregated.period_start = first_reply_contributors.period_start
    left join resolution_contributors
        on aggregated.team_id = resolution_contributors.team_id
            and aggregated.period_grain = resolution_contributors.period_grain
            and aggregated.period_start = resolution_contributors.period_start

),

final as (

    {{ kpi_rows('measured', [
        {'kpi_id': 'first_reply_sla_compliance',
         'value': 'cast(first_reply_met_count as float8) / first_reply_judged_count',
         'sample_size': 'first_reply_judged_count',
         'contributor_count': 'first_reply_contributor_count',
         'where': 'first_reply_judged_count > 0'},
        {'kpi_id': 'resolution_sla_compliance',
         'value': 'cast(resolution_met_count as float8) / resolution_judged_count',
         'sample_size': 'resolution_judged_count',
         'contributor_count': 'resolution_contributor_count',
         'where': 'resolution_judged_count > 0'},
    ]) }}

)

select * from final
