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
        {%- set teams = scorecard_known_teams(teams_relation) -%}
        {%- set rows = scorecard_rows(rollouts, ['team_id', 'rollout_date']) -%}
        {%- set problems = scorecard_one_row_per_team_problems(rows, teams, 'rollout dates') -%}
        {%- for row in rows -%}
            {%- set day = (row.rollout_date or '') | trim -%}
            {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', day) -%}
                {%- do problems.append("team '" ~ row.team_id
                    ~ "': rollout_date must be a date, YYYY-MM-DD") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set known_kpis = scorecard_known_kpis(kpi_catalog) -%}
        {%- for kpi_id in impact_kpis if known_kpis and kpi_id not in known_kpis -%}
            {%- do problems.append("var rollout_impact_kpis: '" ~ kpi_id
                ~ "' is not a KPI of the catalog (seeds/kpis/kpi_catalog.csv)") -%}
        {%- endfor -%}
        {{ scorecard_raise(rollouts_file, problems) }}
    {%- endif -%}
{%- endmacro %}
