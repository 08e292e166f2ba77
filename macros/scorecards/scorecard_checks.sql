{#
    Checks of the files a data team edits (docs/scorecards.md), run when the
    model that reads them is built, as kpi_models_in_catalog does: every
    problem is collected and the build stops with one message that names the
    file, the team and the KPI of each. A unit test renders the model against
    fixture rows: nothing to read, nothing checked.
#}

{#- The rows of a relation as a list of dicts (none when it is not built yet). -#}
{% macro scorecard_rows(relation, columns, where='') -%}
    {%- set found = load_relation(relation) -%}
    {%- if found is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query(
        "select " ~ columns | join(', ') ~ " from " ~ found ~ (" where " ~ where if where else "")
    ) -%}
    {%- set rows = [] -%}
    {%- for row in result.rows -%}
        {%- set item = {} -%}
        {%- for column in columns -%}
            {%- set value = row[loop.index0] -%}
            {%- do item.update({column: (value | string | trim) if value is not none else none}) -%}
        {%- endfor -%}
        {%- do rows.append(item) -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}

{#- '' and none read as missing. -#}
{% macro scorecard_blank(value) -%}
    {{ return(value is none or value == '' or value == 'None') }}
{%- endmacro %}

{% macro scorecard_raise(file, problems) -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            file ~ ": " ~ (problems | length) ~ (" problem" if problems | length == 1 else " problems")
            ~ " (docs/scorecards.md)\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
{%- endmacro %}

{% macro scorecard_known_teams(teams_relation) -%}
    {%- set teams = [] -%}
    {%- for row in scorecard_rows(teams_relation, ['team_id']) -%}
        {%- do teams.append(row.team_id) -%}
    {%- endfor -%}
    {{ return(teams) }}
{%- endmacro %}

{% macro scorecard_known_kpis(kpi_catalog) -%}
    {%- set kpis = [] -%}
    {%- for row in scorecard_rows(kpi_catalog, ['kpi_id']) -%}
        {%- do kpis.append(row.kpi_id) -%}
    {%- endfor -%}
    {{ return(kpis) }}
{%- endmacro %}

{% macro scorecard_team_hint(teams) -%}
    {%- set shown = teams | sort -%}
    {{ return("the roster's teams are " ~ (shown[:20] | join(', ') if shown else 'none')
        ~ (', ...' if shown | length > 20 else '')) }}
{%- endmacro %}

{#- "The team is not a team of the roster" for each place (a file row's "team 'x'", ...) in
    unknown; none with no roster loaded (a git-only warehouse), where there is nothing to
    check teams against and the file's teams simply show nothing. -#}
{% macro scorecard_unknown_team_problems(unknown, teams) -%}
    {%- set problems = [] -%}
    {%- for where in unknown if teams -%}
        {%- do problems.append(where ~ ": the team is not a team of the roster (dim_teams); "
            ~ scorecard_team_hint(teams)) -%}
    {%- endfor -%}
    {{ return(problems) }}
{%- endmacro %}

{#- For files of one row per team (team_rollouts, team_work_types): the rows whose team is
    not in the roster, and teams listed twice ("two <what> for the same team"). -#}
{% macro scorecard_one_row_per_team_problems(rows, teams, what) -%}
    {%- set problems = [] -%}
    {%- set seen = [] -%}
    {%- set unknown = [] -%}
    {%- for row in rows -%}
        {%- set where = "team '" ~ row.team_id ~ "'" -%}
        {%- if row.team_id not in teams -%}
            {%- do unknown.append(where) -%}
        {%- endif -%}
        {%- if row.team_id in seen -%}
            {%- do problems.append(where ~ ": two " ~ what ~ " for the same team; keep one") -%}
        {%- endif -%}
        {%- do seen.append(row.team_id) -%}
    {%- endfor -%}
    {{ return(problems + scorecard_unknown_team_problems(unknown, teams)) }}
{%- endmacro %}

{#
    The default sets (seed scorecard_default_kpis) and the team file (seed
    scorecard_team_kpis): set sizes, KPI ids, teams, target fields, and a
    baseline before any target. The model passes the relations: the two
    seeds, kpi_catalog, dim_teams and fct_team_kpis_by_period (whose
    'baseline' rows are the baselines).
#}
{% macro scorecard_check_team_kpis(
    team_kpis, default_kpis, kpi_catalog, teams_relation, kpi_periods
) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set min_kpis, max_kpis = 4, 7 -%}
        {%- set kpis = scorecard_known_kpis(kpi_catalog) -%}

        {#- Default sets -#}
        {%- set defaults_file = 'seeds/scorecards/scorecard_default_kpis.csv' -%}
        {%- set problems = [] -%}
        {%- set members = {} -%}
        {%- set defaults = scorecard_rows(
            default_kpis, ['function_name', 'kpi_id', 'alternate_for']) -%}
        {%- for row in defaults if scorecard_blank(row.alternate_for) -%}
            {%- do members.setdefault(row.function_name, []).append(row.kpi_id) -%}
        {%- endfor -%}
        {%- set alternates = [] -%}
        {%- for row in defaults -%}
            {%- if row.kpi_id not in kpis -%}
                {%- do problems.append("function '" ~ row.function_name ~ "', KPI '" ~ row.kpi_id
                    ~ "' is not a KPI of seeds/kpis/kpi_catalog.csv") -%}
            {%- endif -%}
            {%- if not scorecard_blank(row.alternate_for) -%}
                {%- set own = members.get(row.function_name, []) -%}
                {%- if row.alternate_for not in own -%}
                    {%- do problems.append("function '" ~ row.function_name ~ "', KPI '"
                        ~ row.kpi_id ~ "' stands in for '" ~ row.alternate_for
                        ~ "', which is not a member of that function's set") -%}
                {%- elif row.kpi_id in own -%}
                    {%- do problems.append("function '" ~ row.function_name ~ "', KPI '"
                        ~ row.kpi_id ~ "' is both a member and an alternate") -%}
                {%- elif (row.function_name ~ '|' ~ row.alternate_for) in alternates -%}
                    {%- do problems.append("function '" ~ row.function_name ~ "', KPI '"
                        ~ row.alternate_for ~ "' has more than one alternate") -%}
                {%- endif -%}
                {%- do alternates.append(row.function_name ~ '|' ~ row.alternate_for) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for function_name, kpi_ids in members.items() -%}
            {%- if kpi_ids | length < min_kpis or kpi_ids | length > max_kpis -%}
                {%- do problems.append("function '" ~ function_name ~ "' has "
                    ~ kpi_ids | length ~ " KPIs in its default set (" ~ kpi_ids | join(', ')
                    ~ "); a set holds " ~ min_kpis ~ " to " ~ max_kpis) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if 'default' not in members -%}
            {%- do problems.append("no 'default' set for the functions without their own") -%}
        {%- endif -%}
        {{ scorecard_raise(defaults_file, problems) }}

        {#- The team file -#}
        {%- set team_file = 'seeds/scorecards/scorecard_team_kpis.csv' -%}
        {%- set problems = [] -%}
        {%- set teams = scorecard_known_teams(teams_relation) -%}
        {%- set baselines = {} -%}
        {%- for row in scorecard_rows(
                kpi_periods, ['team_id', 'kpi_id', 'is_complete'],
                "period_grain = 'baseline'") -%}
            {%- do baselines.update({row.team_id ~ '|' ~ row.kpi_id: row.is_complete}) -%}
        {%- endfor -%}
        {%- set sets = {} -%}
        {%- set targets = [] -%}
        {#- A target set before its baseline exists depends on the data, not on
            the file alone (a tool connected last week has no baseline yet): the
            build warns and the status mart shows 'baseline_forming' or
            'not_enough_data' for it, never a status against the target. -#}
        {%- set unmet = [] -%}
        {%- set unknown_teams = [] -%}
        {%- for row in scorecard_rows(
                team_kpis,
                ['team_id', 'kpi_id', 'quarter', 'target_kind', 'target']) -%}
            {%- set where = "team '" ~ row.team_id ~ "', KPI '" ~ row.kpi_id ~ "'" -%}
            {%- if scorecard_blank(row.team_id) or scorecard_blank(row.kpi_id) -%}
                {%- do problems.append(where ~ ": every row needs a team_id and a kpi_id") -%}
            {%- else -%}
                {%- set team_kpis = sets.setdefault(row.team_id, []) -%}
                {%- if row.kpi_id not in team_kpis -%}
                    {%- do team_kpis.append(row.kpi_id) -%}
                {%- endif -%}
                {%- if row.team_id not in teams and row.team_id not in unknown_teams -%}
                    {%- do unknown_teams.append(row.team_id) -%}
                {%- endif -%}
                {%- if row.kpi_id not in kpis -%}
                    {%- do problems.append(where ~ ": KPI '" ~ row.kpi_id
                        ~ "' is not a KPI of seeds/kpis/kpi_catalog.csv") -%}
                {%- endif -%}
                {%- set given = [row.quarter, row.target_kind, row.target]
                    | reject('none') | reject('equalto', '') | list -%}
                {%- if given -%}
                    {%- set kind = (row.target_kind or '') | lower -%}
                    {%- set quarter = (row.quarter or '') | upper -%}
                    {%- set number = '[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)' -%}
                    {%- if given | length < 3 -%}
                        {%- do problems.append(where ~ ": a target needs quarter, target_kind and target") -%}
                    {%- elif not modules.re.match('^[0-9]{4}-Q[1-4]$', quarter) -%}
                        {%- do problems.append(where ~ ": quarter '" ~ row.quarter
                            ~ "' is not written YYYY-Qn (e.g. 2026-Q4)") -%}
                    {%- elif kind not in ['absolute', 'relative'] -%}
                        {%- do problems.append(where ~ ": target_kind '" ~ row.target_kind
                            ~ "' is neither absolute nor relative") -%}
                    {%- elif kind == 'absolute' and not modules.re.match('^' ~ number ~ '$', row.target) -%}
                        {%- do problems.append(where ~ ": absolute target '" ~ row.target
                            ~ "' is not a number in the KPI's unit") -%}
                    {%- elif kind == 'relative' and not modules.re.match('^' ~ number ~ '%$', row.target) -%}
                        {%- do problems.append(where ~ ": relative target '" ~ row.target
                            ~ "' is not a signed percentage such as -30%") -%}
                    {%- elif (row.team_id ~ '|' ~ row.kpi_id ~ '|' ~ quarter) in targets -%}
                        {%- do problems.append(where ~ ": more than one target for " ~ quarter) -%}
                    {%- elif row.team_id in teams and row.kpi_id in kpis -%}
                        {%- do targets.append(row.team_id ~ '|' ~ row.kpi_id ~ '|' ~ quarter) -%}
                        {%- set baseline = baselines.get(row.team_id ~ '|' ~ row.kpi_id) -%}
                        {%- if baseline is none -%}
                            {%- do unmet.append(where ~ ", " ~ quarter
                                ~ ": a target needs the team's baseline of the KPI, and there is none"
                                ~ " (the team has no data for it yet)") -%}
                        {%- elif baseline | lower not in ['true', '1'] -%}
                            {%- do unmet.append(where ~ ", " ~ quarter
                                ~ ": a target needs the team's baseline of the KPI, which is still forming") -%}
                        {%- endif -%}
                    {%- endif -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for team_id, kpi_ids in sets.items() -%}
            {%- if kpi_ids | length < min_kpis or kpi_ids | length > max_kpis -%}
                {%- do problems.append("team '" ~ team_id ~ "' lists " ~ kpi_ids | length
                    ~ " KPIs (" ~ kpi_ids | join(', ') ~ "); a KPI set holds "
                    ~ min_kpis ~ " to " ~ max_kpis) -%}
            {%- endif -%}
        {%- endfor -%}
        {#- With no roster loaded (a git-only warehouse) there is nothing to
            check teams against: the file's teams simply show no scorecard. -#}
        {%- for team_id in unknown_teams if teams -%}
            {%- do problems.append("team '" ~ team_id ~ "', KPIs " ~ sets[team_id] | join(', ')
                ~ ": '" ~ team_id ~ "' is not a team of the roster (dim_teams); "
                ~ scorecard_team_hint(teams)) -%}
        {%- endfor -%}
        {{ scorecard_raise(team_file, problems) }}
        {%- if unmet -%}
            {%- do exceptions.warn(team_file ~ ": " ~ (unmet | length)
                ~ (" target waits" if unmet | length == 1 else " targets wait")
                ~ " for a baseline and will not be applied (docs/scorecards.md)\n  - "
                ~ unmet | join("\n  - ")) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{# The OKR file (seed okrs): teams, KPIs, quarters, start and target values. #}
{% macro scorecard_check_okrs(okrs, kpi_catalog, teams_relation) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set okr_file = 'seeds/scorecards/okrs.csv' -%}
        {%- set problems = [] -%}
        {%- set teams = scorecard_known_teams(teams_relation) -%}
        {%- set kpis = scorecard_known_kpis(kpi_catalog) -%}
        {%- set number = '^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)$' -%}
        {%- set seen = [] -%}
        {%- set unknown_teams = [] -%}
        {%- for row in scorecard_rows(
                okrs,
                ['team_id', 'quarter', 'objective', 'kpi_id', 'start_value', 'target_value']) -%}
            {%- set where = "team '" ~ row.team_id ~ "', KPI '" ~ row.kpi_id ~ "'" -%}
            {%- set quarter = (row.quarter or '') | upper -%}
            {%- if row.team_id not in teams -%}
                {%- do unknown_teams.append(where) -%}
            {%- endif -%}
            {%- if row.kpi_id not in kpis -%}
                {%- do problems.append(where ~ ": KPI '" ~ row.kpi_id
                    ~ "' is not a KPI of seeds/kpis/kpi_catalog.csv") -%}
            {%- endif -%}
            {%- if not modules.re.match('^[0-9]{4}-Q[1-4]$', quarter) -%}
                {%- do problems.append(where ~ ": quarter '" ~ row.quarter
                    ~ "' is not written YYYY-Qn (e.g. 2026-Q4)") -%}
            {%- endif -%}
            {%- if scorecard_blank(row.objective) -%}
                {%- do problems.append(where ~ ": the key result has no objective") -%}
            {%- endif -%}
            {%- if not modules.re.match(number, row.start_value or '')
                    or not modules.re.match(number, row.target_value or '') -%}
                {%- do problems.append(where ~ ": start_value and target_value must be numbers"
                    ~ " in the KPI's unit") -%}
            {%- elif row.start_value | float == row.target_value | float -%}
                {%- do problems.append(where ~ ": start_value equals target_value,"
                    ~ " so progress cannot be measured") -%}
            {%- endif -%}
            {%- set key = row.team_id ~ '|' ~ quarter ~ '|' ~ row.objective ~ '|' ~ row.kpi_id -%}
            {%- if key in seen -%}
                {%- do problems.append(where ~ ": the objective '" ~ row.objective
                    ~ "' has two key results on this KPI in " ~ quarter) -%}
            {%- endif -%}
            {%- do seen.append(key) -%}
        {%- endfor -%}
        {%- do problems.extend(scorecard_unknown_team_problems(unknown_teams, teams)) -%}
        {{ scorecard_raise(okr_file, problems) }}
    {%- endif -%}
{%- endmacro %}
