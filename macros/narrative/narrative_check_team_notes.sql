{#
    The teams' "what next" notes (seed team_notes; docs/narrative.md#notes),
    checked when fct_team_notes is built, as the other scorecard files are
    (macros/scorecards/scorecard_checks.sql): an unknown team, a week_start
    that is not a date or not a Monday (the ISO week's first day), an empty
    note or two notes for the same team and week stop the build with one
    message naming the file, the team and the week of each problem.
#}
{% macro narrative_check_team_notes(notes, teams_relation) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set notes_file = 'seeds/scorecards/team_notes.csv' -%}
        {%- set problems = [] -%}
        {%- set teams = scorecard_known_teams(teams_relation) -%}
        {%- set seen = [] -%}
        {%- set unknown_teams = [] -%}
        {%- for row in scorecard_rows(notes, ['team_id', 'week_start', 'note']) -%}
            {%- set where = "team '" ~ row.team_id ~ "', week " ~ row.week_start -%}
            {%- if row.team_id not in teams -%}
                {%- do unknown_teams.append(where) -%}
            {%- endif -%}
            {%- set day = none -%}
            {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}', row.week_start or '') -%}
                {%- set day = modules.datetime.datetime.strptime(
                    (row.week_start or '')[:10], '%Y-%m-%d') -%}
            {%- endif -%}
            {%- if day is none -%}
                {%- do problems.append(where ~ ": week_start must be a date, YYYY-MM-DD") -%}
            {%- elif day.weekday() != 0 -%}
                {%- do problems.append(where ~ ": week_start must be the Monday of the ISO week"
                    ~ " the note is about") -%}
            {%- endif -%}
            {%- if scorecard_blank(row.note) -%}
                {%- do problems.append(where ~ ": the note is empty") -%}
            {%- endif -%}
            {%- set key = row.team_id ~ '|' ~ row.week_start -%}
            {%- if key in seen -%}
                {%- do problems.append(where ~ ": two notes for the same team and week;"
                    ~ " write them as one") -%}
            {%- endif -%}
            {%- do seen.append(key) -%}
        {%- endfor -%}
        {%- for where in unknown_teams if teams -%}
            {%- do problems.append(where ~ ": the team is not a team of the roster (dim_teams); "
                ~ scorecard_team_hint(teams)) -%}
        {%- endfor -%}
        {{ scorecard_raise(notes_file, problems) }}
    {%- endif -%}
{%- endmacro %}
