{#
    Stop the build on a team_wip_limits row that names no roster team, repeats
    a team, or holds a limit that is not a whole number of at least 1: a
    wrong limit would publish wrong over-limit days without a word.
#}
{% macro scorecard_check_team_wip_limits(wip_limits, teams_relation) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set teams = scorecard_known_teams(teams_relation) -%}
        {%- set rows = scorecard_rows(wip_limits, ['team_id', 'wip_limit']) -%}
        {%- set problems = scorecard_one_row_per_team_problems(rows, teams, 'WIP limits') -%}
        {%- for row in rows -%}
            {%- set limit = row.wip_limit | string | trim -%}
            {%- if not (limit.isdigit() and limit | int >= 1) -%}
                {%- do problems.append("team '" ~ row.team_id ~ "': wip_limit " ~ limit
                    ~ " is not a whole number of items of at least 1") -%}
            {%- endif -%}
        {%- endfor -%}
        {{ scorecard_raise('seeds/scorecards/team_wip_limits.csv', problems) }}
    {%- endif -%}
{%- endmacro %}
