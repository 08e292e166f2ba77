{# The KPI catalog as the pages show it (definitions beside the numbers). #}
with kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

final as (

    select
        kpi_id,
        kpi_name,
        category,
        function_name,
        unit,
        statistic,
        direction,
        definition
    from kpi_catalog

)

select * from final
