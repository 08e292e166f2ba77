{#
    One row per team, ISO week and rolling window (window_weeks 4 or 13, ending with the week): the DORA measures over the window
    (kpi_base_dora_team_windows, graded by kpi_base_dora_team_windows_graded), with
    privacy suppression: below k contributors every measure and level is
    null and is_suppressed is true.
#}
with graded as (

    select * from {{ ref('kpi_base_dora_team_windows_graded') }}
    where window_weeks in (4, 13)

),

final as (

    select
        {{ dora_published_columns() }}
    from graded

)

select * from final
