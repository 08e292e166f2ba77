{#
    The data's as-of time per source system: the latest event the warehouse
    holds from that tool, never later than now. KPIs that judge something
    still open ("overdue", "SLA breached") judge it at this time, so an old
    export is not read as if nobody had worked since.
#}
with work_events as (

    select * from {{ ref('fct_work_events') }}

),

final as (

    select
        source_system,
        least(max(occurred_at), {{ utc_now() }}) as as_of_at
    from work_events
    group by source_system

)

select * from final
