{#
    The rollout dates (seed team_rollouts; docs/scorecards.md#roi-over-a-rollout),
    checked when fct_team_rollout_impact is built, as the other scorecard
    files are: an unknown team, a rollout_date that is not a date (YYYY-MM-DD)
    or two rows for the same team stop the build with one message naming the
    file and the team of each problem; so does a KPI id in var
    rollout_impact_kpis that the catalog does not hold.
#}
{% macro scorecard_check_team_rollouts(rollouts, teams_relation, kpi_catalog, impact_kpis) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set rollouts_file = 'seeds/scorecards/team_rollouts.csv' -%}
        {%- set problems = [] -%}
        {%- set teams = scorecard_known_teams(teams_relation) -%}
        {%- set seen = [] -%}
        {%- set unknown_teams = [] -%}
        {%- for row in scorecard_rows(rollouts, ['team_id', 'rollout_date']) -%}
            {%- set where = "team '" ~ row.team_id ~ "'" -%}
            {%- if row.team_id not in teams -%}
                {%- do unknown_teams.append(where) -%}
            {%- endif -%}
            {%- set day = (row.rollout_date or '') | trim -%}
            {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', day) -%}
                {%- do problems.append(where ~ ": rollout_date must be a date, YYYY-MM-DD") -%}
            {%- endif -%}
            {%- if row.team_id in seen -%}
                {%- do problems.append(where ~ ": two rollout dates for the same team;"
                    ~ " keep one") -%}
            {%- endif -%}
            {%- do seen.append(row.team_id) -%}
        {%- endfor -%}
        {%- for where in unknown_teams if teams -%}
            {%- do problems.append(where ~ ": the team is not a team of the roster (dim_teams); "
                ~ scorecard_team_hint(teams)) -%}
        {%- endfor -%}
        {%- set known_kpis = scorecard_known_kpis(kpi_catalog) -%}
        {%- for kpi_id in impact_kpis if known_kpis and kpi_id not in known_kpis -%}
            {%- do problems.append("var rollout_impact_kpis: '" ~ kpi_id
                ~ "' is not a KPI of the catalog (seeds/kpis/kpi_catalog.csv)") -%}
        {%- endfor -%}
        {{ scorecard_raise(rollouts_file, problems) }}
    {%- endif -%}
{%- endmacro %}
