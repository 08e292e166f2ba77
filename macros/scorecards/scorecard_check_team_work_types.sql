{#
    The work types of teams (seed team_work_types; docs/scorecards.md#cohorts-context-not-league-tables),
    checked when fct_team_kpi_status is built, as the other scorecard files
    are: an unknown team, a blank work type or two rows for the same team
    stop the build with one message naming the file and the team of each.
#}
{% macro scorecard_check_team_work_types(work_types, teams_relation) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set problems = [] -%}
        {%- set teams = scorecard_known_teams(teams_relation) -%}
        {%- set seen = [] -%}
        {%- set unknown_teams = [] -%}
        {%- for row in scorecard_rows(work_types, ['team_id', 'work_type']) -%}
            {%- set where = "team '" ~ row.team_id ~ "'" -%}
            {%- if row.team_id not in teams -%}
                {%- do unknown_teams.append(where) -%}
            {%- endif -%}
            {%- if scorecard_blank(row.work_type) -%}
                {%- do problems.append(where ~ ": work_type is empty; name the kind of work"
                    ~ " (for example platform, product) or remove the row") -%}
            {%- endif -%}
            {%- if row.team_id in seen -%}
                {%- do problems.append(where ~ ": two work types for the same team; keep one") -%}
            {%- endif -%}
            {%- do seen.append(row.team_id) -%}
        {%- endfor -%}
        {%- for where in unknown_teams if teams -%}
            {%- do problems.append(where ~ ": the team is not a team of the roster (dim_teams); "
                ~ scorecard_team_hint(teams)) -%}
        {%- endfor -%}
        {{ scorecard_raise('seeds/scorecards/team_work_types.csv', problems) }}
    {%- endif -%}
{%- endmacro %}
