{#
    The work types of teams (seed team_work_types; docs/scorecards.md#cohorts-context-not-league-tables),
    checked when fct_team_kpi_status is built, as the other scorecard files
    are: an unknown team, a blank work type or two rows for the same team
    stop the build with one message naming the file and the team of each.
#}
{% macro scorecard_check_team_work_types(work_types, teams_relation) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set teams = scorecard_known_teams(teams_relation) -%}
        {%- set rows = scorecard_rows(work_types, ['team_id', 'work_type']) -%}
        {%- set problems = scorecard_one_row_per_team_problems(rows, teams, 'work types') -%}
        {%- for row in rows if scorecard_blank(row.work_type) -%}
            {%- do problems.append("team '" ~ row.team_id ~ "': work_type is empty; name the kind"
                ~ " of work (for example platform, product) or remove the row") -%}
        {%- endfor -%}
        {{ scorecard_raise('seeds/scorecards/team_work_types.csv', problems) }}
    {%- endif -%}
{%- endmacro %}
