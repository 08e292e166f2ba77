{#
    One row per team owning a repository and ISO week: the DORA measures of that week
    (kpi_base_dora_team_windows, graded by kpi_base_dora_team_windows_graded), with
    privacy suppression: below k contributors every measure and level is
    null and is_suppressed is true.
#}
with graded as (

    select * from {{ ref('kpi_base_dora_team_windows_graded') }}
    where window_weeks = 1

),

final as (

    select
        {{ dora_published_columns() }}
    from graded

)

select * from final
