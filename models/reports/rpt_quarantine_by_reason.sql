{#
    Records set aside at load, counted per source, table and reason (the data
    quality page); never a record itself. Empty when none ever was.
#}
with quarantined as (

    select * from {{ ref('stg_quarantine__records') }}

),

final as (

    select
        source_system,
        table_name,
        reason,
        count(*) as records
    from quarantined
    group by source_system, table_name, reason

)

select * from final
